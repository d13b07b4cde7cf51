"""Plants, look-alikes and real labels of goal.template_text, indicator.vacuous_target's wider kinds
and indicator.missing_deviation_reason's met targets (issue 11; see testkit/review_fixtures.py).

Written before the checks' word lists were chosen, the way a reviewer reads the forms: the
positives are what a reviewer would flag, the look-alikes what a reviewer would let pass.
"""

from __future__ import annotations

from testkit.review_fixtures import Plant, _v, rng_for
from testkit.review_real import DECL, SE, TRACK, _L
from jixiao.forms.models import Form, FormType, Indicator

# --- goal.template_text -------------------------------------------------------------------------

# Goals a unit could file under any project: no object, no number, no named activity.
SLOGANS = [
    "通过项目实施，切实推动工作取得实效。",
    "进一步提高工作效率和服务水平，保障各项工作有序开展，促进事业健康发展。",
    "按照年度工作计划，确保项目顺利推进，充分发挥财政资金使用效益，全面提升管理水平。",
    "认真贯彻落实上级决策部署，扎实推进各项重点工作，不断提高服务质量，取得良好的社会效益。",
    "加强规范化管理，提升工作效能，保障单位正常运转，圆满完成年度目标任务。",
    "围绕中心工作，服务发展大局，推动各项工作再上新台阶。",
    "以问题为导向，补短板、强弱项，切实增强人民群众的获得感、幸福感和安全感。",
    "确保资金安全、规范、高效使用，实现经济效益和社会效益双提升。",
    "坚持以人民为中心，优化服务流程，提升服务品质，努力打造让群众满意的服务品牌。",
    "严格落实各项管理制度，强化过程管理，确保项目按时保质完成，达到预期绩效目标。",
]

# A district unit's goal written for the city, the province or the country (copied from a higher level's template).
OTHER_LEVEL = [
    "全省城镇新增就业11万人以上，全省城镇调查失业率控制在5.5%以内，推动全省就业形势总体稳定。",
    "指导全市各区做好职业技能培训工作，全市全年完成补贴性职业技能培训50万人次。",
    "推进我省人力资源市场体系建设，培育省级人力资源服务产业园2家，促进全省人力资源合理流动。",
    "全国城镇新增就业1200万人以上，实现全国社保关系转移接续网上办理全覆盖。",
    "统筹全市养老服务资源，全市新增养老床位5000张，实现全市社区综合为老服务中心街镇全覆盖。",
]

# A declaration (filed before its year) that reports the year as done.
PAST = [
    "本项目已于{year}年3月完成运维服务招标，全年运维工作完成率100%，系统运行稳定，取得了良好成效。",
    "截至{year}年底，已完成结对帮扶工作，帮扶对象生活水平得到有效改善，圆满完成了年度目标任务。",
    "{year}年共组织疗休养24批次579人，已全部完成年度疗休养任务，激励作用明显。",
    "较好地完成了全年公开招聘、人事干部培训和年度考核工作，各用人单位满意度达标。",
    "已按计划完成宁夏路627号6幢房屋加固及外立面修缮，工程已通过竣工验收，消除了房屋安全隐患。",
]

# Declarations that speak of earlier, finished work inside a goal for the year.
PAST_CONTEXT = [
    "在已完成一期建设的基础上，{year}年完成平台二期开发，新增欠薪治理、预警分析2个功能模块并上线运行。",
    "{prev}年已完成征地养老人员档案数字化，{year}年完成5000份档案数据校核，做到“人数清、情况明”。",
    "巩固已取得的和谐劳动关系创建成果，{year}年复核达标企业550家，培育新创企业50家。",
    "对已完成劳动能力鉴定的人员开展抽样回访，{year}年完成劳动能力鉴定3000件，鉴定对象满意度达90%。",
]

# A district unit's goal that cites the city's or the country's rules, ranks or residents: its own work.
LEVEL_CITED = [
    "按照全市统一部署，{year}年完成本区补贴性职业技能培训1.2万人次，培训合格率达90%。",
    "依据《中华人民共和国就业促进法》和本市就业政策，帮扶本市户籍就业困难人员实现就业2200人。",
    "助力创建全国文明城区，全年开展志愿服务活动24场，确保本区就业工作走在全市前列。",
    "接入全市统一的就业服务平台，{year}年内实现本区街镇就业服务站点13个全部上线运行。",
]

# A city unit's city-wide goal (上海市 level, not a district): 全市 is its own scope.
CITY_UNIT = ("上海市职业技能鉴定中心", "上海市人力资源和社会保障局")
CITY_GOAL = "{year}年全市完成补贴性职业技能培训50万人次以上，职业技能等级认定合格率达85%，全市技能人才总量稳步增长。"

# Concise real goals that use a slogan clause but name their object (keyed by a piece of the project's name).
CONCISE = {
    "公车购置": "购置公务用车",
    "信息系统运维": "按计划完成事业人事信息系统及微信公众号运维服务，保障系统全年正常稳定运行。",
    "宣传费": "通过项目实施，做好社会保障政策宣传，提高政策知晓率。",
    "食堂": "保障食堂正常运行，按时为工作人员提供早、午饭。",
    "邮寄费": "及时准确送达各类仲裁文书，切实保障当事人合法权益。",
    "特保": "保障区仲裁院办案秩序，确保仲裁场所安全。",
    "差旅费": "做好外省市工伤案件调查取证，保障工伤认定工作顺利开展。",
    "残疾人就业": "依据年度计划及时缴纳残疾人就业保障金，保障区域残疾人就业工作正常运行。",
    "仲裁": "促进仲裁机构有效化解劳动人事争议仲裁案件，维护劳动者与用人单位合法权益。",
    "慰问": "重阳节前为征地养老高龄老人发放慰问金和慰问品，切实提高老人福利水平。",
    "办公场所改建": "完成新办公场地改建装修，满足对外接待、办公、培训等业务需要。",
    "退休": "组织开展退休人员文体活动和学习课程，丰富退休人员精神文化生活。",
    "援外": "保障援外干部工作经费按时拨付，激励援派干部人才干事创业。",
    "招聘": "组织开展事业单位公开招聘，保障各单位用人需求。",
}


def _goal_role(form: Form) -> str:
    return "年度总体目标" if form.form_type == FormType.declaration else "预期目标"


def _set_goal(form: Form, text: str) -> str:
    g = form.goal
    if form.form_type == FormType.declaration:
        g.annual = g.expected = text
        if g.overall:
            g.overall = text
    else:
        g.expected = text
    return _goal_role(form)


def _pick(form: Form, pool: list[str], salt: str) -> str:
    y = form.year or 2024
    return rng_for(form, salt).choice(pool).format(year=y, prev=y - 1)


def past_declaration(form: Form) -> str | None:
    if form.form_type != FormType.declaration:
        return None
    return _set_goal(form, _pick(form, PAST, "past"))


def own_goal_with_slogan(form: Form) -> str | None:
    own = form.goal.annual if form.form_type == FormType.declaration else form.goal.expected
    if not own or len(own) < 15:
        return None
    return _set_goal(form, "通过项目实施，" + own.rstrip("。") + "，切实推动工作取得实效。")


def _keyed_goal(form: Form, goals: dict[str, str]) -> str | None:
    text = next((t for key, t in goals.items() if key in (form.project_name or "")), None)
    return _set_goal(form, text) if text else None


def concise_goal(form: Form) -> str | None:
    return _keyed_goal(form, CONCISE)


def goal_from_own_table(form: Form) -> str | None:
    rows = [i for i in form.indicators if i.name and i.target and i.target.kind == "numeric"][:2]
    if len(rows) < 2:
        return None
    (a, b) = rows
    return _set_goal(form, f"通过项目实施，{a.name}达到{a.target.raw}，{b.name}达到{b.target.raw}，切实推动工作取得实效。")


def past_actual(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.actual = _pick(form, PAST, "past")
    return _goal_role(form)


def past_context_declaration(form: Form) -> str | None:
    if form.form_type != FormType.declaration:
        return None
    return _set_goal(form, _pick(form, PAST_CONTEXT, "context"))


def city_unit_goal(form: Form) -> str | None:
    form.unit, form.department = CITY_UNIT
    return _set_goal(form, CITY_GOAL.format(year=form.year or 2024))


# --- indicator.vacuous_target: targets that cannot fail or be measured -----------------------------

# (三级指标, 年度指标值) a reviewer would send back: the target cannot fail, or nothing can measure it.
VACUOUS = [
    ("成本控制有效性", "有效"), ("雇员队伍稳定性保障", "保障"), ("对业务工作的支撑作用", "提供支撑"),
    ("项目实施进度", "顺利完成"), ("项目实施风险", "可控"), ("资金使用合理性", "合理"),
    ("区域劳动关系稳定性", "稳定"), ("服务质量", "良好"), ("群众办事成本", "降低"),
    ("劳动争议案件数量", "减少"), ("对就业工作的促进作用", "充分发挥资金效益，有力促进就业"),
    ("社会效益", "确保工作顺利开展，取得良好社会效益"), ("信息安全风险", "确保安全可控"),
    ("企业用工纠纷", "明显减少"), ("系统运行状况", "运行平稳"), ("对仲裁工作的保障作用", "有力支撑"),
    ("区域就业形势", "持续向好"), ("经办效率", "大幅提升"), ("社会保障制度完善情况", "进一步完善"),
]

# Qualitative or relative targets that can be checked: a reviewer lets them pass.
MEASURABLE = [
    ("运维工作及时性", "及时"), ("补贴发放准确性", "准确"), ("就业保障金使用合规性", "合规"),
    ("食堂菜品质量", "达标"), ("平台测试结果", "通过"), ("工程质保金付款时间", "符合合同约定"),
    ("文书送达差错", "无差错"), ("慰问金发放时间", "{year}年重阳节前"), ("审计报告规范性", "符合行业标准"),
    ("群众办事等待时间", "较上年减少10%"), ("行政运行成本", "较上年降低5%"), ("有责投诉数", "=0.00(起)"),
    ("系统故障处理时限", "≤4.00(小时)"), ("补贴对象覆盖情况", "全覆盖"), ("人员资质相符性", "相符"),
    ("鉴定结论出具时间", "受理后60日内"), ("平台上线时间", "{year}年10月底前上线"),
]


def _effect_row(form: Form) -> Indicator | None:
    """A row whose target is a number (so the unchanged form does not already report it), effect rows first."""
    rows = [i for i in form.indicators if i.name and i.target and i.target.kind == "numeric"]
    rows.sort(key=lambda i: (i.level1 != "效益指标", i.line))
    return rows[0] if rows else None


def _retarget(form: Form, pool: list[tuple[str, str]], salt: str) -> str | None:
    ind = _effect_row(form)
    if ind is None:
        return None
    name, target = rng_for(form, salt).choice(pool)
    ind.name, ind.target = name, _v(target.format(year=form.year or 2024))
    if ind.actual is not None:
        ind.actual = _v("达成指标")
    return name


# --- indicator.missing_deviation_reason: missed targets, and met targets scored rate × weight -------

def _percent_row(form: Form) -> Indicator | None:
    if form.form_type != FormType.self_evaluation:
        return None
    return next((i for i in form.indicators if i.name and i.weight and i.score is not None and i.target
                 and i.target.kind == "numeric" and i.target.unit == "%" and i.target.op in ("≥", "=", ">")
                 and 60 <= i.target.number <= 98), None)


def met_rate_times_weight(form: Form) -> str | None:
    """99.29% against ≥90%, scored 9.93 of 10 (信息系统运维费's 预算执行率): the target is met."""
    ind = _percent_row(form)
    if ind is None:
        return None
    actual = round(min(99.29, ind.target.number + 4.5), 2)
    ind.actual, ind.deviation = _v(f"{actual:.2f}(%)"), None
    ind.score = round(actual / 100 * ind.weight, 2)
    return ind.name


def missed_silently(form: Form) -> str | None:
    ind = _percent_row(form)
    if ind is None:
        return None
    actual = round(ind.target.number - 6, 2)
    ind.actual, ind.deviation = _v(f"{actual:.2f}(%)"), None
    ind.score = round(actual / ind.target.number * ind.weight * 0.9, 2)
    return ind.name


def missed_explained(form: Form) -> str | None:
    subject = missed_silently(form)
    if subject is not None:
        next(i for i in form.indicators if i.name == subject).deviation = "受机构改革影响，下半年部分工作暂停，次年一季度补足。"
    return subject


def _scored_word_row(form: Form) -> Indicator | None:
    if form.form_type != FormType.self_evaluation:
        return None
    return next((i for i in form.indicators if i.name and i.weight and i.weight >= 2 and i.score is not None), None)


def partial_silently(form: Form) -> str | None:
    ind = _scored_word_row(form)
    if ind is None:
        return None
    ind.actual, ind.deviation, ind.score = _v("部分达成指标并具有一定效果"), None, round(ind.weight * 0.6, 2)
    return ind.name


def late_date_silently(form: Form) -> str | None:
    """A deadline missed (11月底 → 次年1月): the values cannot be compared, nothing shows the target met."""
    ind = _scored_word_row(form)
    if ind is None:
        return None
    y = form.year or 2024
    ind.target, ind.actual = _v(f"{y}年11月底前"), _v(f"{y + 1}年1月")
    ind.deviation, ind.score = None, round(ind.weight / 2, 2)
    return ind.name


def word_met_point_lost(form: Form) -> str | None:
    """及时 against 及时, a point off by the scorer's judgement: nothing deviated."""
    ind = _scored_word_row(form)
    if ind is None:
        return None
    ind.target, ind.actual, ind.deviation, ind.score = _v("及时"), _v("及时"), None, round(ind.weight - 1, 2)
    return ind.name


# Held out: written after the checks' word lists, to see how they carry to texts they were not written from.
# First run: template_text 96 of 99 slogans found, no look-alike reported; vacuous_target 72 of 98 (明显,
# 运转顺畅, 积极 missed), no look-alike reported. 明显, 显著, 顺畅, 积极 were then added: no longer held out.
HELD_OUT_SLOGANS = [
    "加强项目资金管理，提高资金使用效益，确保项目目标顺利实现。",
    "保障中心各项业务工作正常运行，提升公共服务能力和水平。",
    "做好年度各项工作，确保完成上级交办的各项任务。",
    "按照区委区政府的决策部署，全力做好本职工作，确保各项工作落到实处。",
    "规范资金使用，提高服务效能，推进工作高质量发展。",
    "优化资源配置，提升服务水平，增强群众满意度。",
    "完成本年度工作任务，为全区经济社会发展提供有力保障。",
    "提高履职能力，保障单位日常运转，促进各项事业发展。",
]
HELD_OUT_CONCISE = {
    "仲裁": "更新劳动仲裁庭审录音录像设备，保障庭审规范进行。",
    "征地养老": "为全区征地养老人员按月足额发放生活补贴和医疗补贴。",
    "退休": "组织退休干部开展书法、合唱等兴趣班活动。",
    "信息系统": "做好系统日常巡检和故障处理，保障系统稳定运行。",
    "平台": "完成平台功能开发和上线运行，实现业务线上办理。",
    "就业": "开展招聘会和职业指导，帮扶失业人员实现再就业。",
    "慰问": "走访慰问高龄征地养老老人，发放慰问金和慰问品。",
    "鉴定": "组织专家开展劳动能力鉴定和工伤认定，按时出具鉴定结论。",
}
HELD_OUT_VACUOUS = [
    ("对区域发展的贡献", "明显"), ("人才队伍建设", "不断加强"), ("工作机制运行情况", "运转顺畅"),
    ("安全生产形势", "总体平稳"), ("社会影响", "积极"), ("群众获得感", "增强"), ("项目风险", "风险可控"),
    ("舆情态势", "平稳可控"), ("工作效率", "显著提高"), ("管理成本", "有所下降"), ("服务效能", "进一步提升"),
]
HELD_OUT_MEASURABLE = [
    ("资料归档", "齐全"), ("档案完整性", "完整"), ("服务合同签订", "签订"), ("系统上线情况", "上线运行"),
    ("工程验收结果", "合格"), ("安全事故", "无"), ("数据质量", "无错漏"), ("评估报告提交", "按时提交"),
    ("补贴发放对象", "与名册一致"), ("服务时长", "全年365天"), ("故障响应时间", "2小时内响应"),
]


PLANTS_HELD_OUT = [
    Plant("goal.template_text", True, "held out: a slogan goal", lambda f: _set_goal(f, _pick(f, HELD_OUT_SLOGANS, "held-slogan"))),
    Plant("goal.template_text", False, "held out: a concise real goal", lambda f: _keyed_goal(f, HELD_OUT_CONCISE)),
    Plant("indicator.vacuous_target", True, "held out: a vacuous target", lambda f: _retarget(f, HELD_OUT_VACUOUS, "held-v")),
    Plant("indicator.vacuous_target", False, "held out: a checkable target", lambda f: _retarget(f, HELD_OUT_MEASURABLE, "held-m")),
]

PLANTS = [
    Plant("goal.template_text", True, "a slogan goal naming nothing of the project", lambda f: _set_goal(f, _pick(f, SLOGANS, "slogan"))),
    Plant("goal.template_text", True, "a district goal written for the city/province/country",
          lambda f: _set_goal(f, _pick(f, OTHER_LEVEL, "level"))),
    Plant("goal.template_text", True, "a declaration goal in the past tense", past_declaration),
    Plant("goal.template_text", False, "the form's own goal wrapped in slogan clauses", own_goal_with_slogan),
    Plant("goal.template_text", False, "a concise real goal naming its object", concise_goal),
    Plant("goal.template_text", False, "a goal built from the form's own indicators and a slogan", goal_from_own_table),
    Plant("goal.template_text", False, "a tracking/self-evaluation actual in the past tense", past_actual),
    Plant("goal.template_text", False, "a declaration goal building on finished earlier work", past_context_declaration),
    Plant("goal.template_text", False, "a district goal citing city/national rules, ranks, residents",
          lambda f: _set_goal(f, _pick(f, LEVEL_CITED, "cited"))),
    Plant("goal.template_text", False, "a city unit's city-wide goal", city_unit_goal),
    Plant("indicator.vacuous_target", True, "a target that cannot fail or be measured (有效, 保障, 可控, 减少 …)",
          lambda f: _retarget(f, VACUOUS, "vacuous")),
    Plant("indicator.vacuous_target", False, "a checkable qualitative or relative target (及时, 合规, 较上年降低5% …)",
          lambda f: _retarget(f, MEASURABLE, "measurable")),
    Plant("indicator.missing_deviation_reason", True, "a % target missed, points lost, no reason", missed_silently),
    Plant("indicator.missing_deviation_reason", True, "部分达成, points lost, no reason", partial_silently),
    Plant("indicator.missing_deviation_reason", True, "a deadline missed (cannot be compared), points lost, no reason",
          late_date_silently),
    Plant("indicator.missing_deviation_reason", False, "target met, scored rate × weight (99.29% of ≥90%)",
          met_rate_times_weight),
    Plant("indicator.missing_deviation_reason", False, "及时 against 及时, a point off, no reason", word_met_point_lost),
    Plant("indicator.missing_deviation_reason", False, "a % target missed, reason given", missed_explained),
    *PLANTS_HELD_OUT,
]

# --- the samples' findings, labelled -------------------------------------------------------------

_RC = "社保管理中心异地调查、工伤鉴定费用"
_JY = "就业创业主题活动、促进就业工作专项"
# Rows whose target cannot fail or be measured (the wider kinds; 提升/优化/改善 … are in testkit/review_real.py).
_VACUOUS_ROWS = [
    *[(p, DECL, "成本控制有效性", "有效") for p in ("城乡居民社会养老保险财政补助资金", "宣传费", "工伤认定和劳动能力鉴定业务系统（2024年运维）",
                                          "征地养老慰问经费", "征地养老管理信息系统(2024年运维)")],
    ("政府购买辅助服务", DECL, "雇员队伍稳定性保障", "保障"), ("政府购买辅助服务", TRACK, "雇员队伍稳定性", "稳定"),
    ("新疆支青稳定专项经费", SE, "新疆支青、异退人员群体社会稳定性", "稳定: no measure (群体性事件 0 起 would be one)"),
    ("公车购置经费", SE, "立项依据充分", "充分: a framework indicator judged by rubric; as a target it cannot fail"),
    ("征地养老费用", SE, "立项依据的充分性", "充分"), ("征地养老费用", SE, "绩效目标合理性", "合理"),
    ("人才服务专项资金", SE, "优化人才服务", "a slogan as target"), ("人才服务专项资金", SE, "人才政策宣传", "a slogan as target"),
    ("援外干部工作经费", SE, "援外干部工作保障", "a slogan as target"),
    ("援外干部工作经费", SE, "东西部扶贫协作和对口支援工作", "顺利开展: a slogan as target"),
    ("征地养老费支出", DECL, "社会保障制度完善情况", "完善 with no baseline"), ("征地养老费用", SE, "长效管理制度建设", "完善"),
    (_JY, SE, "长效管理制度建设", "管理制度完善"), (_JY, SE, "费用控制在预算内", "成本控制较好: the name is measurable, the target is not"),
    (_JY, SE, "上海与云南对口地区劳务协作关系", "更加紧密"), ("劳动仲裁业务经费", SE, "区域劳动关系改善效果", "更加和谐稳定"),
    ("宁夏路627号6幢房屋加固、外立面修缮及装修", SE, "区域营商环境改善效果", "有效优化"),
    *[(p, SE, n, "有效保障") for p, n in (("仲裁院特保经费", "区仲裁院办案秩序保障效果"),
                                       ("劳动仲裁业务经费", "对本区劳动者与用人单位合法权益的保障效果"),
                                       ("劳动监察业务经费", "对辖区内用人单位信息采集、录入和维护工作的保障效果"),
                                       ("食堂运行经费", "就餐保障情况"))],
    ("劳动仲裁业务经费", SE, "(辅助人员)对案件处理的辅助支撑作用", "有效辅助"),
    ("人事管理业务经费", SE, "人事干部相关技能掌握度", "相关技能提升 with no baseline"),
    ("征地养老费用", SE, "经办人员业务操作能力", "良好"),
    *[(_RC, SE, n, "良好") for n in ("绩效目标的合理性", "调查及时性", "财务及管理制度健全性", "长效管理制度建设")],
    ("人力资源公共服务中心办公场所改建项目", SE, "业务活动收益度", "高"), ("机关事业单位退休人员管理活动费", SE, "活动受益度", "高"),
]
# Target words a reviewer can check (against a date, a rule, a contract, a plan, a survey) and words
# that are arguable; any finding quoting them (“word”) is labelled by the word.
_CHECKABLE = ["及时", "准确", "有效控制在标准内", "合规", "相符", "通过", "符合合同约定", "11月底", "2024年重阳节前",
              "与政策规定一致", "及时完成相关工作", "工作完成及时性及时", "无差错", "无食品安全事故发生", "正常运作",
              "真实完整", "符合招聘计划", "符合行业标准", "符合计划安排", "符合预算", "完成等保测评", "满意", "基本满意",
              "使用单位满意", "规范"]
_ARGUABLE = {
    "建立健全": "a mechanism exists or not: checkable as a deliverable; the weakness is the row, not the target",
    "健全": "as 建立健全", "有效建立": "建立 is a deliverable; 有效 adds nothing",
    "公平公正": "checkable only through complaints or reversals", "契合": "契合 to a theme: judged, not measured",
    "满足": "needs met or not: checkable if the needs are listed", "符合实际需求": "needs unstated",
    "符合实际业务需求": "needs unstated", "符合项目需求": "needs unstated", "符合信息安全保障": "a 等保 result is checkable",
}

REAL_LABELS = [
    *[_L("indicator.vacuous_target", p, ft, name, note=note) for p, ft, name, note in _VACUOUS_ROWS],
    *[_L("indicator.vacuous_target", None, None, f"“{w}”", truth=False, note="checkable target") for w in _CHECKABLE],
    *[_L("indicator.vacuous_target", None, None, f"“{w}”", truth=None, note=n) for w, n in _ARGUABLE.items()],
    # goal.template_text: no sample goal is all slogan; these are the goals nearest to one.
    _L("goal.template_text", "残疾人就业保障金", DECL, "年度总体目标", truth=None,
       note="保障…正常运行, 不断提升…水平和能级: slogans around its own subject, no activity or number"),
    _L("goal.template_text", "残疾人就业保障金", TRACK, "预期目标", truth=None, note="the declaration's goal"),
    _L("goal.template_text", "援外干部工作经费", SE, "预期目标", truth=None,
       note="贯彻落实中央、市委部署 … 激励援派干部人才干事创业: names its people and 对口支援, no activity"),
    _L("goal.template_text", "机关事业单位退休人员管理活动费", SE, "预期目标", truth=None,
       note="按时按量完成工作计划, 合理使用好<the project's name>: the name pasted into a slogan"),
    _L("goal.template_text", "宣传费", DECL, "年度总体目标", truth=None, note="政策宣传全覆盖 (garbled): thin, but names 政策宣传"),
    _L("goal.template_text", "人才服务专项资金", SE, "预期目标", truth=False, note="slogan clauses, but lists its activities"),
    _L("goal.template_text", "劳动仲裁业务经费", SE, "预期目标", truth=False, note="names 仲裁机构 and 争议仲裁案件"),
    _L("goal.template_text", "办公经费补贴", TRACK, "预期目标", truth=False, note="贯彻落实有关文件 opens a goal naming 退休干部活动场所, 课程"),
    _L("goal.template_text", "公车购置经费", SE, "预期目标", truth=False, note="购置公务用车: short, names its object"),
    _L("goal.template_text", "征地养老费用", SE, "预期目标", truth=False, note="已锁定的 is a modifier; names 征地养老人员"),
    _L("goal.template_text", "征地养老费支出", DECL, "年度总体目标", truth=False, note="落实市、区级文件要求 cites; names 征地养老待遇"),
    _L("goal.template_text", _JY, SE, "预期目标", truth=False, note="cites national law and 市、区政府; 10场, 1000个"),
    _L("goal.template_text", "普陀区构建和谐劳动关系经费", SE, "预期目标", truth=False,
       note="上海市劳动关系三方下达 names the issuer of its targets"),
    _L("goal.template_text", "普陀区职业技能培训综合监管一件事运营平台建设项目", SE, "预期目标", truth=False,
       note="在上海市…综合监管基础上: builds on the city's system"),
    _L("goal.template_text", "就业创业综合服务项目", SE, "预期目标", truth=False,
       note="another project's goal (goal.project_mismatch), not a slogan"),
    _L("goal.template_text", "鉴定、认定费", DECL, "年度总体目标", truth=False, note="国家的合法权益 is not a level of duty"),
    _L("goal.template_text", "信息系统运维费", SE, "预期目标", truth=False, note="the brief's concise real goal"),
]

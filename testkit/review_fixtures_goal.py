"""Plants and look-alikes of goal.annual_copies_overall and goal.actual_unresponsive
(see testkit/review_fixtures.py). The texts are written the way the samples write (DOMAIN.md): the
positives are what a reviewer would flag, the look-alikes what a reviewer would let pass,
whatever the checks do.
"""

from __future__ import annotations

import re

from testkit.review_fixtures import Plant, rng_for
from jixiao.forms.models import Form, FormType

# --- goal.annual_copies_overall -----------------------------------------------------------------

# (项目总目标 of a multi-year project, this year's own 年度总体目标). Each annual goal is the year's
# part of the whole and repeats one generic phrase of it, as real forms do (tests/fixtures/jingan_2022_mixed.txt).
MULTI_YEAR = [
    ("三年内建成覆盖全区的智慧养老服务平台，接入养老机构60家、社区综合为老服务中心30个，实现养老服务“一网通办”。",
     "{year}年完成平台一期建设，接入养老机构20家，上线服务预约、补贴申领2个功能模块，推进养老服务“一网通办”。"),
    ("2024—2026年分三期完成3处老旧办公用房加固和外立面修缮，消除房屋安全隐患，改善办事环境，提高财政资金使用效益。",
     "{year}年完成宁夏路627号6幢房屋加固及外立面修缮，工程验收通过，提高财政资金使用效益。"),
    ("用三年时间建成区职业技能培训综合监管平台，实现培训机构、培训项目、补贴资金全过程线上监管，确保平台安全稳定运行。",
     "{year}年完成平台需求调研、招标采购和培训机构管理模块开发，确保平台安全稳定运行。"),
    ("在项目周期内完成全区征地养老人员档案数字化，建立规范的征地养老管理体系，做到“人数清、情况明”。",
     "{year}年完成5000份征地养老人员纸质档案扫描和数据校核，做到“人数清、情况明”。"),
    ("2024年至2026年每年组织开展就业创业主题活动不少于30场，帮扶重点群体就业，营造良好就业创业环境。",
     "{year}年开展招聘会、创业沙龙等主题活动32场，重点帮扶离校未就业高校毕业生，营造良好就业创业环境。"),
    ("分两年完成劳动关系信息管理平台建设，打通监察、仲裁、调解数据壁垒，提升劳动关系信息化管理水平。",
     "{year}年建成监察仲裁联合受理、欠薪治理2个子系统并通过测试，提升劳动关系信息化管理水平。"),
    ("三年内对全区120家和谐劳动关系达标企业开展用工法律体检全覆盖，健全劳动关系协调机制。",
     "{year}年为40家达标企业开展用工法律体检，出具体检报告40份，健全劳动关系协调机制。"),
    ("项目周期内完成工伤认定和劳动能力鉴定业务系统迁移上云及等保测评，保障系统全年正常稳定运行。",
     "{year}年完成系统迁移上云和数据核对，迁移期间业务不中断，保障系统全年正常稳定运行。"),
]


def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"(?<=[，,。；;])", text) if c]


def _multi_year(form: Form, overall: str, annual: str, span: int = 2) -> str | None:
    if form.form_type != FormType.declaration or not form.year:
        return None
    y = form.year
    form.start_date, form.end_date = f"{y}-01-01", f"{y + span}-12-31"
    form.goal.overall, form.goal.annual = overall, annual
    form.goal.expected = annual
    return form.project_name


def _own_goal(form: Form) -> str | None:
    g = form.goal.annual or form.goal.expected
    return g if g and len(g) >= 20 else None


def _pool(form: Form) -> tuple[str, str]:
    overall, annual = MULTI_YEAR[rng_for(form, "multi").randrange(len(MULTI_YEAR))]
    return overall, annual.format(year=form.year)


def annual_is_overall(form: Form) -> str | None:
    g = _own_goal(form)
    return _multi_year(form, g, g) if g else None


def annual_is_overall_with_year(form: Form) -> str | None:
    if form.form_type != FormType.declaration:
        return None
    overall, _ = _pool(form)
    return _multi_year(form, overall, f"{form.year}年度，{overall}")


def annual_is_overall_less_a_clause(form: Form) -> str | None:
    g = _own_goal(form)
    parts = _clauses(g) if g else []
    if len(parts) < 3:
        return None
    return _multi_year(form, g, "".join(parts[:-1]).rstrip("，,；;") + "。")


def annual_is_overall_plus_a_clause(form: Form) -> str | None:
    if form.form_type != FormType.declaration:
        return None
    overall, _ = _pool(form)
    return _multi_year(form, overall, overall.rstrip("。") + "，本年度按计划推进项目实施。")


def annual_is_its_year(form: Form) -> str | None:
    if form.form_type != FormType.declaration:
        return None
    return _multi_year(form, *_pool(form))


def one_year_project(form: Form) -> str | None:
    g = _own_goal(form)
    if g is None or form.form_type != FormType.declaration:
        return None
    form.start_date, form.end_date = f"{form.year}-01-01", f"{form.year}-12-31"
    form.goal.overall = form.goal.annual = form.goal.expected = g
    return form.project_name


# --- goal.actual_unresponsive -------------------------------------------------------------------

# Results that do not say whether the goal was met: money spent, a head count, a procedure
# (modelled on 征地养老费用's "截止2024年底,我区区级统筹管理征地养老人员共3298人,全年预算执行率为98.22%。").
UNRESPONSIVE = [
    "截止{year}年底，本项目全年预算执行率为{rate}%。",
    "全年共支出项目资金{amount}万元，其中当年财政拨款{amount}万元。",
    "本年度项目资金严格按照财政资金管理规定使用，专款专用。",
    "详见附件。",
    "{year}年项目经费{amount}万元，按季度拨付，全年预算执行率{rate}%。",
    "按照区财政局要求编报{year}年度项目预算，资金已全部拨付到位。",
]

# Results that answer their goal in their own words (keyed by a piece of the goal they answer).
RESPONSIVE = {
    "新疆支青": "全年对新疆支青、异退人员结对帮扶126人次，节日走访慰问覆盖率100%，该群体总体稳定，无越级上访。",
    "事业人事信息系统及微信公众号": "事业人事信息系统及微信公众号全年运行稳定，处理系统故障12次，系统使用者抽样满意度为93%。",
    "残疾人就业": "全年缴纳残保金86.5万元，区域残疾人就业工作正常运行，新增安置残疾人就业42人。",
    "政府购买服务人员": "在核定范围内聘用政府购买服务人员11名，全员到岗，人员资质与计划相符，考核均为合格，委托方满意度96%。",
    "食堂承包单位": "食堂承包单位每日按时供应早、午饭，全年开展卫生监测抽查2次，结果均合格，未发生食品安全事故。",
    "仲裁机构": "全年受理劳动人事争议仲裁案件2156件，结案2098件，调解率62%，劳动者与用人单位合法权益得到依法维护。",
    "征地养老人员的社会保障": "全区锁定的3298名征地养老人员社会保障待遇按月足额发放，人员底数清楚，管理体系运行规范。",
    "新办公场地": "新办公场地改建装修后投入使用，设有对外接待大厅、培训室和退休老同志活动室，满足中心各项业务需要。",
    "退休干部活动场所": "退休干部活动场所全年正常运转，开设2期退休干部培训班、各类课程16门，参加学员820人次，学员满意度97%。",
    "疗休养": "1-8月组织579名行政奖励人员分24批参加疗休养，参加人员普遍反映良好，工作积极性有所提升。",
    "异地用工": "全年根据举报投诉线索对异地用工情况调查取证36件，辖区劳动关系总体和谐稳定。",
    "公开招聘": "全年组织事业单位公开招聘2批次，招聘工作人员186名，培训人事干部320人次，全区事业单位年度考核全覆盖。",
    "和谐劳动关系": "全年复核确认和谐劳动关系达标企业556家，培育新创企业50家，职工工资集体协商覆盖率91%。",
    "符合条件的群体发放补贴": "全年发放各类就业补贴1.2亿元，离校未就业毕业生实习就业比例92%，失业人员再就业9576人，补贴对象满意度95%。",
}


def unresponsive_actual(form: Form) -> str | None:
    g = form.goal
    if form.form_type == FormType.declaration or not g.expected or len(g.expected) < 15:
        return None
    rng = rng_for(form, "unresponsive")
    rate = form.funds.execution_rate if form.funds and form.funds.execution_rate is not None else 96.5
    amount = f"{rng.uniform(5, 500):.2f}"
    g.actual = rng.choice(UNRESPONSIVE).format(year=form.year or 2024, rate=f"{rate:.2f}", amount=amount)
    return form.project_name


def responsive_actual(form: Form) -> str | None:
    g = form.goal
    if form.form_type == FormType.declaration or not g.expected:
        return None
    text = next((t for key, t in RESPONSIVE.items() if key in g.expected), None)
    if text is None:
        return None
    g.actual = text
    return form.project_name


def generic_completion(form: Form) -> str | None:
    if form.form_type == FormType.declaration or not form.goal.expected:
        return None
    form.goal.actual = "全年各项工作均按计划完成，达到预期绩效目标。"
    return form.project_name


PLANTS = [
    Plant("goal.annual_copies_overall", True, "multi-year project, 年度总体目标 = 项目总目标", annual_is_overall),
    Plant("goal.annual_copies_overall", True, "multi-year, annual = '{year}年度，' + overall", annual_is_overall_with_year),
    Plant("goal.annual_copies_overall", True, "multi-year, annual = overall less its last clause", annual_is_overall_less_a_clause),
    Plant("goal.annual_copies_overall", True, "multi-year, annual = overall plus a clause", annual_is_overall_plus_a_clause),
    Plant("goal.annual_copies_overall", False, "multi-year, the year's own goal sharing a generic phrase", annual_is_its_year),
    Plant("goal.annual_copies_overall", False, "one-year project, annual = overall", one_year_project),
    Plant("goal.actual_unresponsive", True, "result = money spent / a count / a procedure", unresponsive_actual),
    Plant("goal.actual_unresponsive", False, "result answering the goal in its own words", responsive_actual),
    Plant("goal.actual_unresponsive", False, "generic 'all done as planned'", generic_completion),
]

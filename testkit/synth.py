"""Synthetic performance forms in the exact layout of the sample exports, with their ground truth.

The vocabulary (indicator names and targets per 二级指标, project names, units, goal sentences,
deviation reasons) is taken from the three real samples in examples/ and recombined, so that the
forms read like real ones while the truth is known by construction. Stdlib only: the generator
must not depend on the parser it is used to test.

    text, truth = generate_form(random.Random(1), "self_evaluation", years=[2023])
    corpus = generate_corpus(12_000, seed=0)          # [(text, truth), ...]
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

FORM_TYPES = ("declaration", "tracking", "self_evaluation")
YEARS = tuple(range(2021, 2027))
DISTRICTS = ("黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区",
             "嘉定区", "浦东新区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区")
DEPARTMENTS = {  # 主管部门 -> its 实施单位
    "人力资源和社会保障局": ("人力资源和社会保障局", "事业单位福利中心", "社会保障服务中心", "就业促进中心",
                    "人力资源公共服务中心", "社会保障管理服务中心"),
    "民政局": ("民政局", "社会福利中心", "养老服务指导中心"),
}

# The national taxonomy, in the order forms list it.
TAXONOMY = {
    "成本指标": ("经济成本指标", "社会成本指标"),
    "产出指标": ("数量指标", "质量指标", "时效指标"),
    "效益指标": ("经济效益指标", "社会效益指标", "生态效益指标", "可持续影响指标"),
    "满意度指标": ("服务对象满意度指标",),
}
# How likely a form is to use a category: every sample form has 产出 and 效益 rows.
_P_LEVEL1 = {"成本指标": 0.6, "产出指标": 1.0, "效益指标": 1.0, "满意度指标": 0.9}
_P_LEVEL2 = {"经济成本指标": 0.85, "社会成本指标": 0.15, "数量指标": 1.0, "质量指标": 0.8, "时效指标": 0.7,
             "经济效益指标": 0.2, "社会效益指标": 1.0, "生态效益指标": 0.1, "可持续影响指标": 0.5,
             "服务对象满意度指标": 1.0}

# 三级指标|年度指标值, as written in the samples. {year} is the form's year.
_VOCAB = {
    "经济成本指标": """成本控制有效性|有效控制在标准内
成本控制有效性|有效
预算执行率|≥90.00(%)
费用控制在预算内|成本控制较好
符合预算成本|符合预算
资金分配合理性|=100.00(%)
支出方向符合度|=100.00(%)""",
    "社会成本指标": """雇员队伍稳定性|稳定
雇员队伍稳定性保障|保障""",
    "数量指标": """培训班开展班次|=40.00(班次)
就业保障金发放完成率|=100.00(%)
购买雇员数量|=11.00(人)
人员上岗率|=100.00(%)
案件调查完成率|=100.00(%)
运维工作完成率|=100.00(%)
送达文书数量|=12000.00(份)
高龄老人慰问人数|=2000.00(人)
帮困对象享受人次|≥300.00(人次)
结对帮扶工作完成率|=100.00(%)
功能模块建设数量|≥5.00(项)
招聘会场数|≥20.00(场次)
公益性岗位查岗数量|≥600.00(个)
特保人员聘请数量|=8.00(人)
事业单位公开招聘活动开展次数|=2.00(次)
卫生监测抽查次数|=2.00(次)
宣传活动开展次数|≥12.00(次)
区属国有企业审计数量|≥23.00(家)
医学专家面检|≥12.00(次)
购置公务用车|=1.00(辆)""",
    "质量指标": """培训课程出席率|≥90.00(%)
活动场所满足学习活动需求|满足
就业保障金使用合规性|合规
疗休养内容相符性|相符
人员考核通过率|=100.00(%)
外调获取有效证据率|>95.00(%)
运维工作验收通过率|=100.00(%)
鉴定结果准确性|>99.00(%)
补贴发放准确性|准确
宣传主题契合度|契合
帮困对象准确性|准确
结对帮扶工作开展规范性|规范
平台测试结果|通过
特保人员资质达标率|=100.00(%)
工程验收通过率|=100.00(%)
审计报告规范性|符合行业标准
食堂菜品质量达标率|=100.00(%)
鉴定报告准确性|≥95.00(%)
案件处理程序规范性|规范""",
    "时效指标": """水电费缴纳及时性|11月底
培训课程开展及时性|及时
就业保障金发放及时性|及时
疗休养工作完成及时性|11月底
征地养老资金发放及时率|与政策规定一致
运维工作及时性|及时
文书送达及时性|及时
慰问金和慰问品发放及时|{year}年重阳节前
平台上线应用时间|符合计划安排
工程质保金付款时间|符合合同约定
公益性岗位查岗完成及时性|符合计划安排
项目完成时间|≤1.00(年)
食堂供餐及时性|及时""",
    "经济效益指标": """人员结构优化情况|优化
财务(资产)管理制度健全性|健全
项目管理制度的健全性和执行的有效性|=100.00(%)""",
    "社会效益指标": """提升退干对社会进步、经济发展感受度|提升
退休干部覆盖率|=100.00(%)
区域残疾人竞争力提升|提升
疗养人员知晓率|≥95.00(%)
单位工作效率提升情况|提升
补贴对象覆盖率|=100.00(%)
有责投诉数|=0.00(起)
系统运行稳定率|≥98.00(%)
全年重大故障数|=0.00(起)
再次鉴定申请率|<10.00(%)
鉴定公平公正性|公平公正
重度残疾人参保率|≥90.00(%)
平台投入使用率|=100.00(%)
跨部门数据共享机制|有效建立
系统稳定运行天数|=365.00(天)
参加招聘会人次|≥500.00(人次)
房屋安全隐患消除率|=100.00(%)
区域营商环境改善效果|有效优化
案件结案率|≥98.00(%)
失业人员实现再就业人数|≥7000.00(人)
就餐保障情况|有效保障
企业争先创优积极性|提高""",
    "生态效益指标": """长效管理制度建设|完善
绩效目标合理性|合理""",
    "可持续影响指标": """长效管理机制建立健全情况|建立健全
政府雇员培训机制建立情况|建立健全
动态跟踪机制建立情况|建立健全
信息化管理制度建立情况|建立健全
长效管理机制健全性|健全
帮困对象生活水平改善效果|改善
房屋建筑常态化管理机制|健全
补贴政策长效管理机制|健全
经办人员业务操作能力|良好""",
    "服务对象满意度指标": """退干培训班学员满意度|≥95.00(%)
受益人员满意度|≥90.00(%)
委托方（用人单位）满意度|≥95.00(%)
案件当事人满意度|>90.00(%)
系统使用人员满意度|≥90.00(%)
鉴定对象满意度|>90.00(%)
群众满意度|≥90.00(%)
慰问对象满意度|≥85.00(%)
平台使用者抽样满意度|≥90.00(%)
就业服务群体满意度|≥80.00(%)
办事人员满意度|≥90.00(%)
使用单位满意度|使用单位满意
人才满意度|满意""",
}
VOCAB = {l2: [tuple(line.split("|")) for line in block.splitlines()] for l2, block in _VOCAB.items()}

PROJECTS = (
    "办公经费补贴", "残疾人就业保障金", "在职考核优秀行政奖励人员经费", "政府购买辅助服务", "征地养老费支出",
    "外省市差旅费", "征地养老管理信息系统({year}年运维)", "鉴定、认定费", "城乡居民社会养老保险财政补助资金",
    "宣传费", "邮寄费", "工伤认定和劳动能力鉴定业务系统（{year}年运维）", "征地养老慰问经费", "新疆支青稳定专项经费",
    "{short}劳动关系信息管理平台建设项目", "信息系统运维费", "就业创业主题活动、促进就业工作专项", "仲裁院特保经费",
    "“靠谱职”就业服务信息化平台", "劳动监察业务经费", "人事管理业务经费", "援外干部工作经费",
    "{short}构建和谐劳动关系经费", "劳动仲裁业务经费", "就业促进专项资金", "食堂运行经费", "就业创业综合服务项目",
    "征地养老费用", "公车购置经费", "社保管理中心异地调查、工伤鉴定费用", "人才服务专项资金",
    "人力资源公共服务中心办公场所改建项目", "机关事业单位退休人员管理活动费",
    "{short}职业技能培训综合监管一件事运营平台建设项目",
)
GOALS = (
    ("按计划对新疆支青、异退人员进行帮扶,及时完成结对帮扶工作,有效稳定新疆支青、异退人员群体。",
     "根据计划对新疆支青、异退人员进行帮扶,较好的完成了结对帮扶工作。"),
    ("按计划完成事业人事信息系统及微信公众号运维服务，保障系统全年正常稳定运行，系统使用者抽样满意度不低于90%。",
     "按计划完成事业单位人事管理信息平台运维服务，系统正常运行。"),
    ("依据年度工作计划，保障区域残疾人就业工作正常运行。通过经费扶持不断提升区域残疾人就业的水平和能级。",
     "依据年度工作计划及有关部门通知，及时缴纳残保金，保障区域残疾人就业工作正常运行。"),
    ("继续在核定范围内聘用政府购买服务人员，人员到岗率达100%，人员资质与计划相符，委托方满意度达95%。",
     "继续在核定范围内聘用政府购买服务人员，人员到岗率达100%，工作完成及时且达标。"),
    ("食堂承包单位能按时按量为工作人员提供早、午饭,进行2次卫生监测抽查,保障就餐有序进行。",
     "严格按照预期目标运作,食材新鲜度和品质均达标,服务响应迅速,满足食堂运营需要。"),
    ("促进仲裁机构有效化解劳动人事争议仲裁案件,维护本区劳动者与用人单位合法权益。",
     "提升仲裁机构劳动争议解决效能,切实保障本区劳资双方合法权益。"),
    ("保障已锁定的征地养老人员的社会保障,建立规范的征地养老管理体系。", "截止{year}年底,全年预算执行率为{rate}%。"),
    ("改建装修完成后的新办公场地能够更好地适用于中心对外接待、办公、培训等多项业务功能需求。",
     "基本完成新办公场所装修工作。"),
)
DEVIATIONS = ("项目尾款尚未支付", "因客观原因,与对口地区合作交流活动不足", "平台尚未上线", "还未支付尾款",
              "厉行节约,精简支出", "因机构改革,单位职能调整,部分工作转交给其他单位完成",
              "根据施工合同,工程将于次年1月下旬竣工")
_TARGET = re.compile(r"^([=≥≤><])(\d+(?:\.\d+)?)\((.+)\)$")


@dataclass
class TruthIndicator:
    level1: str
    level2: str
    name: str
    target: str
    plan: str | None = None
    actual: str | None = None
    weight: float | None = None
    score: float | None = None
    deviation: str | None = None


@dataclass
class TruthForm:
    form_type: str
    year: int
    project_name: str
    department: str  # without "(汇总)"
    unit: str
    indicators: list[TruthIndicator] = field(default_factory=list)
    funds_total: dict[str, float] = field(default_factory=dict)  # column key -> value in 万元 (as jixiao reports)
    total_score: float | None = None
    grade: str | None = None
    judgement: tuple[str, str] | None = None


def _cents(x: float | Decimal) -> int:
    return int(Decimal(str(x)).scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _fmt(cents: int) -> str:
    return f"{cents / 100:.2f}"


def _row(*cells: str) -> str:
    return "\t".join(cells)


def grade_of(total: float) -> str:
    return "优" if total >= 90 else "良" if total >= 80 else "合格" if total >= 60 else "不合格"


def _pick_indicators(rng: random.Random, year: int) -> list[tuple[str, str, str, str]]:
    out, used = [], set()
    for l1, l2s in TAXONOMY.items():
        if rng.random() >= _P_LEVEL1[l1]:
            continue
        chosen = [l2 for l2 in l2s if rng.random() < _P_LEVEL2[l2]] or [l2s[0]]
        for l2 in chosen:
            want = rng.choice((1, 1, 1, 2, 2, 3))  # about 10 rows a form, 3–18, as in the samples
            for name, target in rng.sample(VOCAB[l2], len(VOCAB[l2])):
                if want and name not in used:  # one row per name: a form does not list an indicator twice
                    used.add(name)
                    want -= 1
                    out.append((l1, l2, name, target.format(year=year)))
    return out


def _weights(rng: random.Random, n: int, total: int = 90) -> list[int]:
    """Integer 分值 adding up to `total`, uneven the way real forms are (5, 10, 15, 20 …)."""
    w = [total // n] * n
    for i in range(total - sum(w)):
        w[i] += 1
    for _ in range(n):
        a, b = rng.randrange(n), rng.randrange(n)
        d = rng.randint(0, max(0, w[a] - 1) // 2)
        w[a] -= d
        w[b] += d
    return w


def _actual_number(rng: random.Random, op: str, num: float, unit: str, reached: bool) -> float:
    if not reached:
        return round(num * rng.uniform(0.5, 0.95), 2)
    if op in ("≥", ">"):
        num += rng.choice((0, 0, 1, 5)) + (1 if op == ">" else 0)
        return min(num, 100.0) if unit == "%" else num
    return round(num * 0.5, 2) if op == "<" else num


def _values(rng: random.Random, form_type: str, ind: TruthIndicator, weight: int, rate: float) -> int:
    """Fill plan/actual/score of one indicator; returns the score in cents."""
    m = _TARGET.match(ind.target)
    reached = rng.random() > 0.12
    if ind.name == "预算执行率" and form_type == "self_evaluation":  # the funds table's own rate
        reached, ind.actual = rate >= 90, f"{rate:.2f}(%)"
    elif m:
        op, num, unit = m.group(1), float(m.group(2)), m.group(3)
        num = _actual_number(rng, op, num, unit, reached)
        if form_type == "self_evaluation":
            ind.actual = f"{num:.2f}({unit})"
        else:
            ind.plan = f"{float(m.group(2)):.2f}"
            ind.actual = f"{num:.2f}" if rng.random() < 0.6 else f"{num:g}"
    elif form_type == "self_evaluation":
        ind.actual = "达成指标" if reached else "部分达成指标并具有一定效果"
    else:
        ind.plan = ind.actual = ind.target
    if form_type != "self_evaluation":
        if not reached and m and rng.random() < 0.5:
            ind.deviation = rng.choice(DEVIATIONS)
        return 0
    score = weight * 100 if reached else _cents(weight * rng.choice((0.5, 0.8, 0.9, 0.95)))
    ind.weight, ind.score = float(weight), score / 100
    if not reached:
        ind.deviation = rng.choice(DEVIATIONS)
    return score


def _funds(rng: random.Random, form_type: str) -> tuple[list[str], dict[str, float], float]:
    """Fund rows in the sample layout, the total row's values in 万元, and the execution rate."""
    if form_type == "declaration":
        request = rng.choice((rng.randint(10, 999) * 1000, rng.randint(1, 99_999) * 100, rng.randint(1, 9999) * 10**6))
        project = request * rng.choice((1, 1, 1, 2, 3))
        a, b = f"{project:,.2f}", f"{request:,.2f}"
        rows = [_row("项目资金 (元)", "项目资金总额", a, "年度资金申请总额", "", b),
                _row("", "其中：财政资金", a, "", "其中：当年财政拨款", b),
                _row("", "", "", "", "上年结转资金", "0.00"),
                _row("", "其他资金", "0.00", "其他资金", "", "0.00")]
        return rows, {"amount": round(float(b.replace(",", "")) / 10000.0, 6)}, 0.0
    initial = _cents(rng.choice((rng.uniform(1, 100), rng.uniform(100, 1000), rng.uniform(1000, 20000))))
    budget = initial if rng.random() < 0.7 else _cents(initial / 100 * rng.uniform(0.3, 1.5)) or 100
    initial = 0 if rng.random() < 0.1 else initial  # added during the year, as in the samples
    spent = _cents(budget / 100 * rng.choice((1.0, 1.0, rng.uniform(0.4, 1.0), rng.uniform(0.85, 1.0))))
    carry = _cents(budget / 100 * 0.2) if rng.random() < 0.15 else 0
    parts = [(initial, budget, spent), (initial - min(carry, initial), budget - carry, spent - min(carry, spent)),
             (min(carry, initial), carry, min(carry, spent)), (0, 0, 0)]  # total, fiscal, carry-over, other
    rates = [_cents(Decimal(s) / Decimal(b) * 100) if b else 0 for _, b, s in parts]
    rate, f = rates[0], _fmt
    if form_type == "tracking":
        rows = [_row("预算执行情况 (万元)", "", "", "", "", "年初预算数", "跟踪期预算数", "跟踪期执行数", "执行率(%)")]
        rows += [_row("", "", label, "", "", f(a), f(b), f(s), f(r)) for label, (a, b, s), r in
                 zip(("年度资金总额", "其中：当年财政拨款", "上年结转资金", "其他资金"), parts, rates)]
        return rows, {"budget_initial": initial / 100, "budget_period": budget / 100, "spent": spent / 100,
                      "execution_rate": rate / 100}, rate / 100
    score = _cents(Decimal(min(rate, 10000)) / 10000 * 10)
    points = [("10.00", f(score))] + [("-", "-")] * 3  # only the total row carries 分数 and 得分
    rows = [_row("项目资金 (万元)", "", "年初预算数", "全年预算数", "全年执行数", "分数", "执行率(%)", "得分")]
    rows += [_row("", label, f(a), f(b), f(s), w, f(r), sc) for label, (a, b, s), r, (w, sc) in
             zip(("年度资金总额:", "其中:当年财政拨款", "上年结转资金", "其他资金"), parts, rates, points)]
    return rows, {"budget_initial": initial / 100, "budget_annual": budget / 100, "spent": spent / 100,
                  "weight": 10.0, "execution_rate": rate / 100, "score": score / 100}, rate / 100


def _indicator_rows(rng: random.Random, form_type: str, inds: list[TruthIndicator]) -> list[str]:
    """The table with merged cells left empty, the way the samples show inherited labels."""
    repeat_level2 = form_type == "tracking" or rng.random() < 0.3
    trailing = rng.random() < 0.5
    rows, prev = [], (None, None)
    for i, ind in enumerate(inds):
        l1 = ind.level1 if ind.level1 != prev[0] else ""
        l2 = ind.level2 if (l1 or repeat_level2 or ind.level2 != prev[1]) else ""
        prev = (ind.level1, ind.level2)
        if form_type == "self_evaluation":
            rows.append(_row(l1, l2, ind.name, ind.target, ind.actual, f"{ind.weight:.2f}", f"{ind.score:.2f}",
                             ind.deviation or ""))
        elif form_type == "tracking":
            rows.append(_row("绩效 指标" if i == 0 else "", l1, l2, ind.name, ind.target, ind.plan, ind.actual,
                             ind.deviation or "", ""))
        else:
            values = (ind.target, "") if trailing else ("", ind.target)
            rows.append(_row("绩效 指标" if i == 0 else "", l1, l2, ind.name, *values))
    return rows


def generate_form(rng: random.Random, form_type: str | None = None, *, years=YEARS,
                  districts=DISTRICTS) -> tuple[str, TruthForm]:
    form_type = form_type or rng.choice(FORM_TYPES)
    year, district = rng.choice(tuple(years)), rng.choice(tuple(districts))
    short = district if district.endswith("新区") else district[:-1] + "区"
    name = rng.choice(PROJECTS).format(year=year, short=short)
    dept = rng.choice(("人力资源和社会保障局",) * 3 + ("民政局",))
    department, unit = f"上海市{district}{dept}", f"上海市{district}{rng.choice(DEPARTMENTS[dept])}"
    truth = TruthForm(form_type, year, name, department, unit)
    funds_rows, truth.funds_total, rate = _funds(rng, form_type)
    picked = _pick_indicators(rng, year)
    weights = _weights(rng, len(picked))
    total = truth.funds_total.get("score", 0) * 100
    for (l1, l2, ind_name, target), w in zip(picked, weights):
        ind = TruthIndicator(l1, l2, ind_name, target)
        if form_type != "declaration":  # a declaration states targets only
            total += _values(rng, form_type, ind, w, rate)
        truth.indicators.append(ind)
    expected, actual = (g.format(year=year, rate=f"{rate:.2f}") for g in rng.choice(GOALS))
    table = _indicator_rows(rng, form_type, truth.indicators)
    if form_type == "self_evaluation":
        total = int(round(total))
        truth.total_score, truth.grade = total / 100, grade_of(total / 100)
        lines = ["", "", "## 财政项目支出绩效自评表", "", f"({year}年度)", "",
                 _row("项目名称", "", name, "", "", "", "", ""),
                 _row("主管部门", department, "", "", "实施单位", unit, "", ""), *funds_rows,
                 _row("年度 总体 目标", "预期目标", "", "", "实际完成情况", "", "", ""),
                 _row("", expected, "", "", actual, "", "", ""),
                 _row("一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施"),
                 *table, _row("总分", "", "", "", "100.00", _fmt(total), "", ""),
                 _row("评分等级", "", truth.grade, "", "", "", "", "")]
    elif form_type == "tracking":
        end = rng.choice((6, 7, 8))
        truth.judgement = (rng.choice(("确定能完成", "确定能完成", "有可能完成")),
                           rng.choice(("确定能完成", "确定能完成", "有可能完成")))
        lines = ["", "", "财政项目支出绩效跟踪表", "", f"跟踪时段：（ {year}年1月 至 {year}年{end}月 ）", "",
                 _row("项目名称", "", name, "", "", "", "", "", ""),
                 _row("主管部门", "", department + "(汇总)", "", "", "实施单位", unit, "", ""), *funds_rows,
                 _row("年度 总体 目标", "预期目标", "", "", "", "跟踪期实际完成情况", "", "", ""),
                 _row("", expected, "", "", "", actual, "", "", ""),
                 _row("", "一级指标", "二级指标", "三级指标", "年度指标值", "跟踪期 计划完成值", "跟踪期 实际完成值",
                      "偏差原因分析", ""),
                 *table,
                 _row("绩效跟踪 总体判断", "", "年度项目预算 完成可能性", truth.judgement[0], "", "", "", "", ""),
                 _row("", "", "年度绩效目标 完成可能性", truth.judgement[1], "", "", "", "", ""),
                 _row("纠偏措施", "", "", "", "", "", "", "", "")]
    else:
        lines = ["", "", "财政项目支出绩效目标申报表", "", f"({year}年度)", "",
                 _row("项目名称", name, "项目性质", rng.choice(("经常性项目", "一次性项目")), "项目类别", "特定目标类"),
                 _row("主管部门", department + "(汇总)", "", "实施单位", unit, ""),
                 _row("计划开始日期", f"{year}-01-01", "", "计划完成日期", f"{year}-12-31", ""), *funds_rows,
                 _row("项目 绩效 目标", "项目总目标", "", "", "年度总体目标", ""),
                 _row("", "", "", "", expected, ""),
                 _row("", "一级指标", "二级指标", "三级指标", "", "年度(/项目)指标值"), *table]
    return "\n".join(lines) + "\n", truth


def generate_corpus(n: int, seed: int = 0, *, form_types=FORM_TYPES, years=YEARS,
                    districts=DISTRICTS) -> list[tuple[str, TruthForm]]:
    rng = random.Random(seed)
    return [generate_form(rng, form_types[i % len(form_types)], years=years, districts=districts)
            for i in range(n)]


def write_corpus_files(folder, n: int, seed: int, per_file: int) -> list:
    """generate_corpus(n, seed) written `per_file` forms to a text file (generated_00.txt, …, names that
    sort in generation order), as the streaming and scale benchmarks and their tests ingest them."""
    from pathlib import Path

    folder = Path(folder)
    forms = generate_corpus(n, seed=seed)
    width = len(str(max(0, (n - 1) // per_file)))
    files = []
    for i in range(0, n, per_file):
        path = folder / f"generated_{i // per_file:0{width}d}.txt"
        path.write_text("".join(text for text, _ in forms[i:i + per_file]), encoding="utf-8")
        files.append(path)
    return files

"""Plants across a corpus, for the codes that compare forms: copied goals and tables, goals of other
projects, and a project's forms along the year and from one year to the next.

The corpus is the 39 real sample forms plus ten generated projects (testkit/synth.py text, parsed),
each with its declaration and self-evaluation of 2023 and its declaration, tracking form and
self-evaluation of 2024: one name, one unit, one indicator table per year (2024's evolved from
2023's: a target raised, a row replaced) and one goal per year (2024's rewritten). Their names and
goals are written below, and their tables in testkit/corpus_tables.py, in the samples' manner, for
projects the samples do not have. A plant changes one or two forms of the corpus; the review runs on
the whole corpus before and after.
"""

from __future__ import annotations

import copy
import json
import random
import re
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from testkit import synth
from testkit.corpus_tables import TABLES
from testkit.review_fixtures import Case, sample_forms
from jixiao.forms import parse_text
from jixiao.forms.models import FORM_TYPE_ZH, Form, FormType, Indicator
from jixiao.forms.values import parse_value
from jixiao.review.evidence import normalise

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"  # the labelled sets stay beside the scripts that measure on them
GENERIC_SUFFIX = "，进一步提高财政资金使用效益。"
GENERIC_PREFIX = "为贯彻落实区委、区政府关于保障和改善民生的工作部署，"
GENERIC_GOAL = "保障项目顺利实施，提高财政资金使用效益，确保年度工作任务按时完成。"

# name, 实施单位 (after 上海市<区>), 区, goal of 2023, goal of 2024 (rewritten: the year's own plan), a result
PROJECTS = [
    ("城乡居保业务经办系统运维费", "社会保障服务中心", "嘉定区",
     "通过委托第三方专业机构对城乡居保业务经办系统开展全年运维，运维工作完成率达100%，系统故障修复及时，保障城乡居保待遇核定、发放业务平稳运行，系统使用人员满意度不低于90%。",
     "委托第三方专业机构对城乡居保业务经办系统开展全年运维并完成数据库版本升级，运维工作完成率达100%，升级期间业务不中断，系统使用人员满意度不低于92%。",
     "全年委托第三方开展系统运维，累计处理故障工单46件，均在24小时内修复，系统全年可用率99.9%，使用人员满意度93%。"),
    ("困难残疾人春节慰问经费", "社会福利中心", "松江区",
     "春节前为全区困难残疾人家庭发放慰问金和慰问品，计划慰问1500户，做到发放对象准确、金额足额、时间及时，体现党和政府对困难残疾人的关怀。",
     "春节、中秋前两次走访慰问全区困难残疾人家庭，计划慰问1650户，新增重度残疾人照护家庭上门探访，慰问金发放准确率100%，慰问对象满意度不低于90%。",
     "春节前走访慰问困难残疾人家庭1512户，发放慰问金和慰问品，慰问对象满意度96%。"),
    ("职业技能竞赛活动经费", "就业促进中心", "青浦区",
     "全年举办职业技能竞赛15场，覆盖电工、养老护理员、西式面点师等12个职业（工种），参赛选手不少于1200人次，以赛促训，推动本区高技能人才队伍建设。",
     "全年举办区级职业技能竞赛12场并选拔选手参加市级竞赛，新增数字技术类竞赛项目3个，参赛选手不少于1000人次，获奖选手按规定晋升职业技能等级。",
     "全年举办职业技能竞赛16场，参赛选手1350人次，126名获奖选手晋升职业技能等级。"),
    ("劳务派遣人员经费", "人力资源公共服务中心", "奉贤区",
     "在核定额度内使用劳务派遣人员12名，按时足额支付劳务费用并缴纳社会保险，派遣人员考核合格率达100%，保障窗口经办服务正常开展。",
     "根据窗口业务量调整使用劳务派遣人员10名，完善派遣人员岗位培训和绩效考核办法，窗口业务差错率控制在0.5%以内，办事群众满意度不低于90%。",
     "全年使用劳务派遣人员12名，劳务费用和社会保险按月足额支付，年度考核全部合格。"),
    ("老年大学办学经费", "养老服务指导中心", "金山区",
     "保障区老年大学两个校区教学场所正常运转，开设书法、绘画、摄影、声乐等课程60个班次，满足老年人学习需求，学员满意度达95%以上。",
     "保障区老年大学本部及新建社区分校教学正常运转，新开智能手机应用、短视频制作等课程，全年开设课程70个班次，学员满意度达95%以上。",
     "两个校区全年开设课程62个班次，在读学员3100人次，学员满意度97%。"),
    ("就业创业服务热线运营经费", "就业促进中心", "崇明区",
     "委托运营商开展就业创业服务热线运营，提供工作日8小时人工接听服务，热线接通率不低于95%，来电诉求办结率100%，来电群众满意度不低于90%。",
     "热线运营延伸至周末及节假日人工接听，新增智能语音导航和政策知识库，热线接通率不低于96%，来电群众满意度不低于92%。",
     "全年接听来电4.2万通，接通率97.3%，诉求全部办结，来电群众满意度94%。"),
    ("办公楼物业保洁服务费", "事业单位福利中心", "宝山区",
     "通过政府采购确定物业服务单位，为办公楼提供日常保洁、绿化养护服务，每季度开展1次病媒消杀，保障办公环境整洁卫生，职工满意度不低于90%。",
     "续签物业服务合同并增加会议保障和垃圾分类管理服务内容，每季度开展1次病媒消杀，物业服务考核得分不低于90分。",
     "物业单位全年提供日常保洁和绿化养护，开展病媒消杀4次，职工满意度95%。"),
    ("工伤保险待遇支付系统升级改造", "社会保障管理服务中心", "杨浦区",
     "对工伤保险待遇支付系统进行升级改造，新增网上申报、电子票据核验2个功能模块，确保历史数据迁移准确率100%，系统于当年10月底前上线运行。",
     "完成工伤保险待遇支付系统二期改造，实现与医保结算系统数据对接，工伤医疗费用线上结算率达80%，系统全年稳定运行。",
     "系统升级改造如期上线，新增网上申报、电子票据核验模块，历史数据迁移准确率100%。"),
    ("人力资源市场监管经费", "人力资源和社会保障局", "嘉定区",
     "依法开展人力资源服务机构年度报告公示和“双随机”抽查，全年检查人力资源服务机构不少于80家，规范人力资源市场秩序，维护劳动者求职权益。",
     "开展人力资源服务机构诚信等级评价和“双随机”抽查，全年检查机构不少于90家，对网络招聘平台开展专项检查，查处违法违规招聘行为。",
     "全年抽查人力资源服务机构86家，责令整改11家，年度报告公示率100%。"),
    ("高校毕业生就业见习补贴", "就业促进中心", "松江区",
     "组织离校未就业高校毕业生参加就业见习，全年新增见习岗位300个、见习人数不少于500人，按时足额发放见习补贴，见习留用率不低于40%。",
     "扩大就业见习基地覆盖面，新增见习基地20家、见习岗位350个，见习人数不少于550人，见习补贴发放准确率100%，见习留用率不低于45%。",
     "全年新增见习岗位318个，组织523名高校毕业生参加见习，发放见习补贴286万元，见习留用率46%。"),
]


@contextmanager
def _one_project(name: str, unit: str, goal: tuple[str, str], rows: list):
    """synth.generate_form with the project's name, unit, goal and indicator table fixed."""
    saved = synth.PROJECTS, synth.GOALS, synth.DEPARTMENTS, synth._pick_indicators
    synth.PROJECTS, synth.GOALS = (name,), (goal,)
    synth.DEPARTMENTS = {k: (unit,) for k in saved[2]}
    synth._pick_indicators = lambda rng, year: list(rows)
    try:
        yield
    finally:
        synth.PROJECTS, synth.GOALS, synth.DEPARTMENTS, synth._pick_indicators = saved


_NUM = re.compile(r"\d+(?:\.\d+)?")


def _evolve(rows: list, spare: list, rng: random.Random) -> list:
    """Next year's table: one numeric target raised, one row replaced by the project's new row (one of
    its 二级指标 when the table has one)."""
    rows = list(rows)
    numeric = [k for k, r in enumerate(rows) if _NUM.search(r[3]) and "(" in r[3]]
    if numeric:
        k = rng.choice(numeric)
        l1, l2, name, target = rows[k]
        m = _NUM.search(target)
        n = float(m.group(0))
        new = n - 2 if target.startswith(("<", "≤")) else (n + 5 if target.endswith(("(%)", "(分)")) and n <= 95 else n * 1.2)
        rows[k] = (l1, l2, name, f"{target[:m.start()]}{new:.2f}{target[m.end():]}")
    for new_row in spare:
        same = [k for k, r in enumerate(rows) if r[1] == new_row[1]] or list(range(len(rows)))
        rows[rng.choice(same)] = new_row
    return rows


@lru_cache(maxsize=1)
def generated_projects() -> tuple[dict, ...]:
    """Each project: {(form type, year): Form} for 2023 declaration and self-evaluation, 2024 all three."""
    out = []
    for k, (name, unit, district, g23, g24, result) in enumerate(PROJECTS):
        rng = random.Random(1000 + k)
        rows23, spare = TABLES[name]
        tables = {2023: rows23, 2024: _evolve(rows23, spare, rng)}
        forms = {}
        for year, goal, types in ((2023, g23, ("declaration", "self_evaluation")),
                                  (2024, g24, ("declaration", "tracking", "self_evaluation"))):
            with _one_project(name, unit, (goal, result), tables[year]):
                for ft in types:
                    text, _ = synth.generate_form(rng, ft, years=[year], districts=[district])
                    (form,) = parse_text(text, f"corpus-{k:02d}-{year}-{ft}.txt").forms
                    forms[(ft, year)] = form
        out.append(forms)
    return tuple(out)


@lru_cache(maxsize=1)
def corpus() -> tuple[Form, ...]:
    return tuple(sample_forms()) + tuple(f for p in generated_projects() for f in p.values())


def _label(f: Form) -> str:
    """How indicator.table_copied names a form."""
    return f"{f.project_name}（{f.year}年{FORM_TYPE_ZH[f.form_type]}）"


def _owner(f: Form) -> str:
    """How goal.boilerplate_shared names a form's project."""
    return f"{f.project_name}（{f.unit or '-'}）"


def _case(code: str, positive: bool, describe: str, changes: dict[int, Form], subject, drop: set[int] = frozenset(),
          source: str = "corpus") -> Case:
    """The corpus with `changes` (index → changed form) and without the forms `drop`."""
    base = [f for k, f in enumerate(corpus()) if k not in drop]
    changed = [changes.get(k, f) for k, f in enumerate(corpus()) if k not in drop]
    key = "corpus" if not drop else f"corpus-{sorted(drop)}"
    return Case(code, positive, describe, source, key, base, changed, subject)


def in_corpus_cases(plants) -> Iterator[Case]:
    """Within-form plants (testkit/review_fixtures*.py) made on one form of the corpus, the review run on
    the whole corpus: for checks that compare a form with the others (indicator.misplaced votes with
    the names other projects file). The subject is "<project>：“<row>”", as the findings write it."""
    generated = {id(f) for p in generated_projects() for f in p.values()}
    for k, base in enumerate(corpus()):
        for plant in plants:
            changed = copy.deepcopy(base)
            subject = plant.apply(changed)
            if subject is not None:
                yield _case(plant.code, plant.positive, plant.describe, {k: changed}, f"{changed.project_name}：“{subject}”",
                            source="generated" if id(base) in generated else "samples")
    if any(p.code == "indicator.misplaced" for p in plants):
        yield from people_count_cases()


# People who found work or benefited, counted under 社会效益: the outcome itself. The corpus is full of
# output counts ending in 人数/人次/数量 (慰问人数, 聘请数量, 培训人次), which must not vote these out.
PEOPLE_COUNTS = [("帮扶对象实现就业人数", "≥300.00(人)"), ("项目受益人数", "≥1200.00(人)"),
                 ("新增就业人数", "≥150.00(人)"), ("参加招聘活动求职者人次", "≥800.00(人次)")]


def people_count_cases() -> Iterator[Case]:
    generated = {id(f) for p in generated_projects() for f in p.values()}
    for k, base in enumerate(corpus()):
        if k % 4 or not base.indicators:
            continue
        name, target = PEOPLE_COUNTS[(k // 4) % len(PEOPLE_COUNTS)]
        changed = _with_rows(base, [("效益指标", "社会效益指标", name, target)])
        yield _case("indicator.misplaced", False, "a count of people reached under 社会效益 (an outcome)", {k: changed},
                    f"{changed.project_name}：“{name}”", source="generated" if id(base) in generated else "samples")


def _index(form: Form) -> int:
    return next(k for k, f in enumerate(corpus()) if f is form)


def _set_goal(form: Form, text: str) -> Form:
    f = copy.deepcopy(form)
    f.goal.expected = text
    if f.form_type == FormType.declaration:
        f.goal.annual = text
    return f


def _renamed(form: Form) -> Form:
    f = copy.deepcopy(form)
    f.project_name = f"{f.project_name}项目"
    return f


# --- edits of a copied text -----------------------------------------------------------------------

def _clauses(text: str) -> list[str]:
    return [c for c in re.split(r"(?<=[，,。；;])", text) if c]


def width(text: str) -> str:
    """Half-width punctuation and a wrapped space, as exports write the same text."""
    t = text.translate(str.maketrans("，。；：（）", ",.;:()"))
    return t[:len(t) // 2] + " " + t[len(t) // 2:]


def add_clause(text: str, own: str) -> str:
    return text.rstrip("。.") + f"，做好{own}相关工作。"


def remove_clause(text: str) -> str:
    parts = _clauses(text)
    if len(parts) < 3:
        return text.rstrip("。") + "。"
    del parts[len(parts) // 2]
    return "".join(parts)


def numbers(text: str) -> str:
    return _NUM.sub(lambda m: f"{float(m.group(0)) * 1.2:g}" if float(m.group(0)) > 1 else m.group(0), text)


EDITS = [("verbatim", lambda t, own: t), ("width", lambda t, own: width(t)), ("a clause added", add_clause),
         ("a clause removed", lambda t, own: remove_clause(t)), ("numbers changed", lambda t, own: numbers(t))]


# --- pairs of forms of different projects ---------------------------------------------------------

def _goal_forms() -> list[Form]:
    """One goal-bearing form per project: the samples' forms, the 2024 self-evaluation of a generated one."""
    samples = [f for f in sample_forms_in_corpus() if f.goal.expected and len(normalise(f.goal.expected)) >= 20]
    return samples + [p[("self_evaluation", 2024)] for p in generated_projects()]


def sample_forms_in_corpus() -> list[Form]:
    return list(corpus()[:len(corpus()) - sum(len(p) for p in generated_projects())])


def _pairs(forms: list[Form], n: int, seed: int) -> list[tuple[Form, Form]]:
    """n (source, target) pairs of forms of different projects, a quarter of each kind:
    sample → sample, generated → sample, sample → generated, generated → generated."""
    rng = random.Random(seed)
    gen = {id(f) for p in generated_projects() for f in p.values()}
    out, seen = [], set()
    for a_gen, b_gen in [(False, False), (True, False), (False, True), (True, True)] * ((n + 3) // 4):
        a_pool = [f for f in forms if (id(f) in gen) == a_gen]
        b_pool = [f for f in forms if (id(f) in gen) == b_gen]
        for _ in range(50):
            a, b = rng.choice(a_pool), rng.choice(b_pool)
            if normalise(a.project_name) != normalise(b.project_name) and (id(a), id(b)) not in seen:
                seen.add((id(a), id(b)))
                out.append((a, b))
                break
    return out[:n]


def boilerplate_cases() -> Iterator[Case]:
    code = "goal.boilerplate_shared"
    forms = _goal_forms()
    for a, b in _pairs(forms, 12, 1):
        for name, edit in EDITS:
            yield _case(code, True, f"another project's goal, {name}", {_index(b): _set_goal(b, edit(a.goal.expected, b.project_name))},
                        _owner(b))
    for a, b in _pairs(forms, 12, 2):
        yield _case(code, False, "both goals end with the same generic phrase",
                    {_index(a): _set_goal(a, a.goal.expected.rstrip("。.") + GENERIC_SUFFIX),
                     _index(b): _set_goal(b, b.goal.expected.rstrip("。.") + GENERIC_SUFFIX)}, _owner(b))
        yield _case(code, False, "both goals open with the same generic sentence",
                    {_index(a): _set_goal(a, GENERIC_PREFIX + a.goal.expected), _index(b): _set_goal(b, GENERIC_PREFIX + b.goal.expected)},
                    _owner(b))
    for form, text in _paraphrases():
        yield _case(code, False, "a goal rewritten (paraphrase set)", {_index(form): _set_goal(form, text)}, _owner(form))
    for p in generated_projects():
        g23 = p[("declaration", 2023)].goal.expected
        yield _case(code, False, "a project keeps last year's goal (its own)", {_index(p[("declaration", 2024)]): _set_goal(p[("declaration", 2024)], g23)},
                    _owner(p[("declaration", 2024)]))
        se = p[("self_evaluation", 2024)]
        yield _case(code, False, "the same project, its name written differently on one form", {_index(se): _renamed(se)}, _owner(se))


@lru_cache(maxsize=1)
def _paraphrase_rows() -> tuple:
    rows = [json.loads(line) for line in (DATA / "paraphrase_pairs.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    return tuple(r for r in rows if r["kind"] == "goal")


def _paraphrases() -> list[tuple[Form, str]]:
    """(form, a reviewer's rewording of its goal) from bench/data/paraphrase_pairs.jsonl ("medium": the whole goal reworded)."""
    out = []
    for r in _paraphrase_rows():
        if r["difficulty"] != "medium":
            continue
        for f in sample_forms_in_corpus():
            if f.goal.expected and normalise(f.goal.expected) == normalise(r["target"]):
                out.append((f, r["query"]))
    return out


def project_mismatch_cases() -> Iterator[Case]:
    code = "goal.project_mismatch"
    forms = _goal_forms()
    for a, b in _pairs(forms, 12, 3):
        subject = f"{b.project_name}的绩效目标"
        yield _case(code, True, "another project's goal, verbatim", {_index(b): _set_goal(b, a.goal.expected)}, subject)
        yield _case(code, True, "another project's goal, numbers changed and a clause removed",
                    {_index(b): _set_goal(b, numbers(remove_clause(a.goal.expected)))}, subject)
        drop = {k for k, f in enumerate(corpus()) if normalise(f.project_name) == normalise(a.project_name) and f.unit == a.unit}
        if _index(b) not in drop:
            yield _case(code, True, "another project's goal, that project not in the corpus",
                        {_index(b): _set_goal(b, a.goal.expected)}, subject, drop)
    for form, text in _paraphrases():
        yield _case(code, False, "its own goal rewritten (paraphrase set)", {_index(form): _set_goal(form, text)}, f"{form.project_name}的绩效目标")
    for f in _goal_forms()[::3]:
        yield _case(code, False, "a generic goal", {_index(f): _set_goal(f, GENERIC_GOAL)}, f"{f.project_name}的绩效目标")
    for p in generated_projects():
        se = p[("self_evaluation", 2024)]
        yield _case(code, False, "its own goal of last year", {_index(se): _set_goal(se, p[("declaration", 2023)].goal.expected)},
                    f"{se.project_name}的绩效目标")
        yield _case(code, False, "its name written differently", {_index(se): _renamed(se)}, f"{se.project_name}项目的绩效目标")
    # Look-alikes and their counterparts that the cases above lack. A project of the same field: the
    # goal written on its neighbour's template with its own names (a look-alike), or the neighbour's
    # goal pasted as it is (a positive: which of the two projects does the text belong to?).
    candidates = sample_forms_in_corpus() + [p[("self_evaluation", 2024)] for p in generated_projects()]
    by_name = {f.project_name: f for f in reversed(candidates)}  # the first form of each name
    siblings = [  # (project, neighbour in its field, its goal on the neighbour's template)
        ("工伤认定和劳动能力鉴定业务系统（2024年运维）", "征地养老管理信息系统(2024年运维)",
         "通过委托专业资质的第三方对系统开展工伤认定和劳动能力鉴定业务系统运维,运维时段为全年,运维工作完成率达100%,运维工作开展及时,且达到标准,保障工伤认定和劳动能力鉴定业务正常稳定运转,软件使用者满意度达90%,建立健全项目长效管理机制。"),
        ("征地养老管理信息系统(2024年运维)", "工伤认定和劳动能力鉴定业务系统（2024年运维）",
         "通过购买第三方服务开展征地养老管理信息系统运维，运维工作完成率达100%，验收通过率达100%，保障区征地养老待遇核定和发放业务的正常运行，数据准确无差错，全年避免出现重大故障，建立健全信息化管理制度，系统使用人员满意度达90%。"),
        ("志丹路4号房屋整体加固装修及外立面修缮", "宁夏路627号6幢房屋加固、外立面修缮及装修",
         "按计划加固志丹路4号房屋，完成外立面修缮及装修，工程验收通过，消除房屋安全隐患，优化劳动监察、劳动争议调解、仲裁、社会保障管理服务，健全房屋建筑常态化管理机制，办事人员满意度不低于90%。"),
        ("宁夏路627号6幢房屋加固、外立面修缮及装修", "志丹路4号房屋整体加固装修及外立面修缮",
         "通过装修工程项目的实施,加固宁夏路627号6幢楼房,完成外立面的修缮及装修,工程验收通过,有效杜绝安全隐患,打造便民利民的公共就业服务中心和标准化政务服务大厅,办事人员满意度不低于90%。"),
        ("普陀区劳动关系信息管理平台建设项目", "“靠谱职”就业服务信息化平台",
         "普陀区劳动关系信息管理平台，以劳动人事争议处理为中心，构建以需求为导向的劳动关系管理机制，依据统一标准和智能化工作要求，推动劳动人事争议案件处理的业务流程再造和系统改造，按计划建立1套平台并通过测试，打通跨部门数据壁垒，提高劳动关系信息化管理水平。"),
        ("征地养老慰问经费", "征地养老费支出",
         "落实市、区级文件要求，规范征地养老慰问经费发放，确保慰问金和慰问品准确、及时、足额发放到2000人次高龄征地养老人员，提升征地养老人员福利水平，慰问对象满意度达85%。"),
        ("城乡居保业务经办系统运维费", "征地养老管理信息系统(2024年运维)",
         "通过委托专业资质的第三方对城乡居保业务经办系统开展运维,运维时段为全年,运维工作完成率达100%,运维工作开展及时,且达到标准,保障城乡居保待遇核定、发放业务平稳运行,系统使用人员满意度达90%,建立健全项目长效管理机制。"),
        ("就业创业主题活动、促进就业工作专项", "就业促进专项资金",
         "按计划开展就业、创业、培训系列主题活动,持续提供就业创业指导、岗位招聘、技能培训等公共就业服务,有效提升重点群体就业创业积极性,开展公益性岗位查岗1000个,开展劳务协作送教上门10场,健全促进就业工作长效管理机制,服务对象抽样满意度不低于90%。"),
        ("高校毕业生就业见习补贴", "就业促进专项资金",
         "按计划及时对参加就业见习的离校未就业高校毕业生发放见习补贴,补贴金额准确,新增见习岗位350个,见习人数不少于550人,见习留用率不低于45%,健全见习补贴长效管理机制,见习人员抽样满意度不低于90%。"),
        ("工伤保险待遇支付系统升级改造", "城乡居保业务经办系统运维费",
         "通过委托第三方专业机构对工伤保险待遇支付系统进行升级改造，完成二期改造并实现与医保结算系统数据对接，工伤医疗费用线上结算率达80%，系统全年稳定运行，系统使用人员满意度不低于90%。"),
    ]
    for name, neighbour, text in siblings:
        f, n = by_name[name], by_name[neighbour]
        yield _case(code, False, "its own goal on the template of a project of the same field", {_index(f): _set_goal(f, text)},
                    f"{name}的绩效目标")
        yield _case(code, True, "the goal of a project of the same field, verbatim", {_index(f): _set_goal(f, n.goal.expected)},
                    f"{name}的绩效目标")
    generic = [  # a generic but honest goal of a project with a generic name: it names only its own purpose
        ("宣传费", "按年度计划做好各项宣传工作，合理使用宣传费，确保宣传工作按时完成，提高政策知晓度。"),
        ("邮寄费", "保障单位日常邮寄工作正常开展，合理使用邮寄费，确保各类文书按时寄送。"),
        ("食堂运行经费", "保障单位食堂正常运行，合理使用食堂运行经费，做好职工就餐服务保障工作。"),
        ("人事管理业务经费", "按年度计划完成各项人事管理业务工作，合理使用业务经费，保障人事管理工作顺利开展。"),
        ("劳动监察业务经费", "保障劳动监察业务工作正常开展，合理使用业务经费，按计划完成年度工作任务。"),
        ("劳动仲裁业务经费", "保障劳动仲裁业务正常运转，合理规范使用业务经费，确保年度各项工作任务按时完成。"),
        ("人才服务专项资金", "按计划做好年度人才服务工作，规范使用人才服务专项资金，提高资金使用效益。"),
        ("外省市差旅费", "保障工作人员赴外省市出差工作正常开展，严格执行差旅费管理规定，合理使用经费。"),
        ("劳务派遣人员经费", "保障劳务派遣人员经费按时足额支付，合理使用财政资金，确保单位各项工作正常运转。"),
        ("办公楼物业保洁服务费", "保障办公楼物业保洁服务正常开展，合理使用物业服务经费，为职工提供良好办公环境。"),
    ]
    for name, text in generic:
        f = by_name[name]
        yield _case(code, False, "a generic goal that names its own project's purpose", {_index(f): _set_goal(f, text)},
                    f"{name}的绩效目标")
    for f in forms[1::3]:
        yield _case(code, False, "its own goal with a generic opening and closing",
                    {_index(f): _set_goal(f, GENERIC_PREFIX + f.goal.expected.rstrip("。.") + GENERIC_SUFFIX)}, f"{f.project_name}的绩效目标")
    formulas = [GENERIC_GOAL, "全年按时按量完成工作计划，合理使用好项目经费，做好各项管理服务工作。",
                "保障单位日常运转，确保各项工作顺利开展，提高财政资金使用效益。",
                "按照年度工作计划，规范使用项目资金，保障各项业务工作正常开展，服务对象满意度达90%以上。"]
    for k, text in enumerate(formulas):  # one formula in the goals of 2, 3 or 5 projects (goal.boilerplate_shared's finding)
        for start in (k, k + 4):
            for n in (2, 3, 5):
                holders = forms[start::7][:n]
                yield _case(code, False, f"one generic goal in {n} projects", {_index(f): _set_goal(f, text) for f in holders},
                            f"{holders[0].project_name}的绩效目标")


# --- indicator tables -----------------------------------------------------------------------------

def _table_forms() -> list[Form]:
    samples = [f for f in sample_forms_in_corpus() if len(f.indicators) >= 5]
    return samples + [p[(ft, 2024)] for p in generated_projects() for ft in ("declaration", "self_evaluation")]


def _copy_table(a: Form, b: Form, how: str) -> Form:
    f = copy.deepcopy(b)
    rows = copy.deepcopy(a.indicators)
    if how == "targets changed":
        for ind in rows:
            if ind.target is not None and ind.target.kind == "numeric" and ind.target.number:
                ind.target = parse_value(numbers(ind.target.raw))
    elif how == "a row dropped, names edited":
        rows = rows[:-1]
        for ind in rows[::2]:
            ind.name = ("区级" + ind.name) if not ind.name.startswith("区") else ind.name.replace("（", "(").replace("）", ")") + " "
    for ind in rows:
        ind.actual = ind.plan = ind.weight = ind.score = ind.deviation = None
    f.indicators = rows
    return f


STANDARD_ROWS = [("成本指标", "经济成本指标", "预算执行率", "≥90.00(%)"), ("效益指标", "社会效益指标", "有责投诉数", "=0.00(起)"),
                 ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90.00(%)")]


def _with_rows(form: Form, rows: list[tuple[str, str, str, str]]) -> Form:
    f = copy.deepcopy(form)
    have = {normalise(i.name) for i in f.indicators}
    line = f.indicators[-1].line if f.indicators else f.source.first_line
    f.indicators += [Indicator(level1=l1, level2=l2, name=n, target=parse_value(t), line=line)
                     for l1, l2, n, t in rows if normalise(n) not in have]
    return f


def table_cases() -> Iterator[Case]:
    code = "indicator.table_copied"
    forms = _table_forms()
    for a, b in _pairs(forms, 12, 4):
        for how in ("verbatim", "targets changed", "a row dropped, names edited"):
            yield _case(code, True, f"another project's table, {how}", {_index(b): _copy_table(a, b, how)}, _label(b))
    for a, b in _pairs(forms, 12, 5):
        yield _case(code, False, "three standard rows (预算执行率, 有责投诉数, 满意度) in both tables",
                    {_index(a): _with_rows(a, STANDARD_ROWS), _index(b): _with_rows(b, STANDARD_ROWS)}, _label(b))
        shared = [(i.level1, i.level2, i.name, i.target.raw if i.target else "") for i in a.indicators[:3]]
        if len(b.indicators) >= 6:
            yield _case(code, False, "three of another project's rows added to an own table of 6+", {_index(b): _with_rows(b, shared)}, _label(b))
    for p in generated_projects():
        se = p[("self_evaluation", 2024)]
        yield _case(code, False, "the same project, its name written differently on one form", {_index(se): _renamed(se)}, _label(_renamed(se)))
    for a, b in _pairs(_apart(forms), 12, 6):
        yield _case(code, False, "two small tables sharing only the rows every form carries (执行率, 成本控制, 满意度)",
                    {_index(a): _small_table(a), _index(b): _small_table(b)}, _label(b))
    for a, b in _same_unit_pairs(forms):
        yield _case(code, True, "another project's table of the same unit (its template), targets changed",
                    {_index(b): _copy_table(a, b, "targets changed")}, _label(b))


# Spelled so that corpus frequency (table.generic_share) does not know them: 预算执行率 is frequent
# enough in the fixture's corpus, 预算资金执行率 and 社会公众满意度 are not.
CARRIED_ROWS = [("成本指标", "经济成本指标", "预算资金执行率", "≥95.00(%)"), ("成本指标", "经济成本指标", "成本控制有效性", "有效控制在标准内"),
                ("满意度指标", "服务对象满意度指标", "服务对象满意度", "≥90.00(%)"),
                ("满意度指标", "服务对象满意度指标", "社会公众满意度", "≥85.00(%)")]


def _apart(forms: list[Form]) -> list[Form]:
    """Forms whose table shares fewer than four names with any other project's: cutting the table of a
    form that is already a copy would regroup its copies, a change that is no false alarm."""
    names = [{normalise(i.name) for i in f.indicators} for f in forms]
    return [f for k, f in enumerate(forms)
            if all(len(names[k] & names[j]) < 4 for j, g in enumerate(forms) if normalise(g.project_name) != normalise(f.project_name))]


def _small_table(form: Form) -> Form:
    """The form's table cut to two rows of its own and the rows every form carries."""
    f = copy.deepcopy(form)
    own = [i for i in f.indicators if i.level1 in ("产出指标", "效益指标") and "满意" not in i.name][:2]
    f.indicators = own
    return _with_rows(f, CARRIED_ROWS)


def _same_unit_pairs(forms: list[Form]) -> list[tuple[Form, Form]]:
    """(source, target) forms of different projects of one 实施单位, one pair per unit."""
    by_unit: dict[str, list[Form]] = {}
    for f in forms:
        if f.unit:
            by_unit.setdefault(normalise(f.unit), []).append(f)
    out = []
    for unit_forms in by_unit.values():
        heads = list({normalise(f.project_name): f for f in unit_forms}.values())
        if len(heads) >= 2:
            out.append((heads[0], heads[1]))
    return out

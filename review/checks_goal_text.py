"""goal.template_text: a goal that describes no project — all slogan, written for another level of
government, or (on a declaration, filed before its year) reporting the year as done."""

from __future__ import annotations

import re
from typing import Iterator

from jixiao.forms.models import Form, FormType
from jixiao.review.catalogue import form_check
from jixiao.review.evidence import finding, normalise, where
from jixiao.review.models import SEVERITY_RANK, Finding
from jixiao.review.settings import Settings

# Phrases any project's goal can carry: taken away, what is left is what the goal says of its project.
# Longest first. 社会, 经济, 政策, 安全 alone are not generic: 社会保障政策宣传, 食品安全 name objects.
_GENERIC = sorted(set("""
通过项目的实施 通过项目实施 通过本项目 项目实施 本项目 项目 切实 推动 推进 进一步 不断 持续 全面 有效 积极 认真 扎实
深入 稳步 大力 努力 充分 更好地 更好 更加 提高 提升 增强 加强 强化 改善 优化 完善 健全 规范化 规范 保障 确保 保证
促进 助力 发挥 落实 贯彻落实 贯彻 围绕 按照 根据 依据 结合 坚持 工作 各项 重点 中心 大局 发展 事业 健康 有序 开展
顺利 实施 取得 实效 成效 效果 效益 效率 效能 水平 质量 能力 管理 制度 机制 体系 年度 全年 本年度 计划 目标 任务 预期
绩效 财政资金 资金 使用 高效 正常 运转 运行 单位 部门 上级 决策部署 部署 要求 文件 精神 新台阶 再上 上台阶
人民群众 群众 满意 满意度 获得感 幸福感 安全感 经济效益 社会效益 双提升 品质 品牌 打造 流程 服务对象 服务 补短板 强弱项
以问题为导向 问题导向 以人民为中心 按时 保质 保量 按质 按量 完成 达到 实现 圆满 良好 整体 相关 严格 过程 做好 做实
抓好 努力 营造 氛围 环境 良好的 持续性 可持续 长效 常态化 稳定 平稳 有力 支撑 基础 保持 维护 加快 加大 力度 力争
争取 全力 全力以赴 高质量 显著 明显 有所 逐步 日益 总体 基本 主要 重要 作用 价值 意义 活力 动力 合力 全方位 多层次
多形式 多维度 规范有序 安全有序 高效运转 正常开展 有序开展 顺利推进 顺利开展 顺利实施 取得实效 经济社会
""".split()), key=len, reverse=True)
_GENERIC_RE = re.compile("|".join(map(re.escape, _GENERIC)))
_GLUE = re.compile(r"[的地得和与及并为在中对了使让把将以于其之各类等也又更很较好]")
_YEARS = re.compile(r"\d{4}\s*年(?:度)?|\d{4}")
_MEASURE = re.compile(r"\d+(?:\.\d+)?\s*(?:%|％|[^\d\s，,。；;、）)]{1,2})")

# Levels of government above a unit, by the unit's own level.
_DISTRICT = re.compile(r"(?:^|[市省])([\u4e00-\u9fff]{1,4}?)(?<!自治)[区县旗]")
_NOT_DISTRICT = set("社园片小校景街城地矿库营市新")  # 社区, 园区 … (新区 only with a name before it: 浦东新区)
_PROVINCE = re.compile(r"省|自治区")
_ABOVE = {"district": r"全市|我市|全省|我省|本省|全国", "city": r"全省|我省|本省|全国", "province": r"全国"}
# The words before a higher level that cite it (its rules, plans, systems) and after it that rank
# against it or name a title: the unit's own work all the same.
_CITES = re.compile(r"按照|根据|依据|遵照|参照|对照|贯彻|落实|结合|对接|接入|配合|响应|执行|围绕|依托|借助|利用|使用|纳入|"
                    r"在.{0,12}基础上|对标|服务于?|争创|创建|助力")
_RANKS = re.compile(r"^(?:范围内)?(?:前列|领先|首|第一|率先|排名|名列|平均|先进|示范|文明|统一|一体化|标杆|百强|同类|"
                    r"劳动模范|劳模|模范|人大|政协|总工会|性)")

# A declaration reporting its year as done (已完成, 完成了, 已于…完成, 取得了…成效).
_PAST = re.compile(r"已(?:经)?[^，,。；;]{0,10}?(?:完成|建成|实现|达到|取得|开展|落实|发放|全部|圆满|如期|按时|通过|上线|"
                   r"投入使用|竣工|组织|举办|累计|购置|招聘|支付|拨付|消除)"
                   r"|(?:完成|取得|实现|建成|开展|发放|举办|组织|落实|达到|通过|解决|消除|改善|提高|提升)了(?![解结])")
# …unless the past is context for the year's goal: 在已完成一期基础上, 对已完成鉴定的人员, an earlier year or phase.
_CONTEXT_BEFORE = re.compile(r"(?:对|在|针对|为|向|将|把|依托|结合|基于|巩固|延续|继续)$")
_CONTEXT_CLAUSE = re.compile(r"基础|成果|上年|去年|往年|以往|此前|前期|一期|上一")
_FUTURE = re.compile(r"将(?!军)|拟|预计|力争|争取|(?<!按)计划(?:于|在|年内|全年)")
_CLAUSE = re.compile(r"[，,。；;！!？?\n]")


def _leftover(text: str) -> str:
    """The goal with years, generic phrases and glue taken away."""
    t = normalise(_YEARS.sub("", text))
    return _GLUE.sub("", _GENERIC_RE.sub("", t))


def _bigrams(text: str) -> set[str]:
    t = normalise(text)
    return {t[i:i + 2] for i in range(len(t) - 1)}


def _own_names(form: Form) -> str:
    return " ".join([form.project_name or ""] + [i.name for i in form.indicators if i.name])


def _slogan(form: Form, text: str, s: Settings) -> tuple[str, str] | None:
    if _MEASURE.search(_YEARS.sub("", text)):
        return None  # a number with its unit is a promise that can be checked
    rest = _leftover(text)
    if len(rest) <= s["template.slogan_max_chars"]:
        # As good as no goal: the year has nothing to be judged against (goal.missing is high too).
        return "high", (f"除“通过项目实施”“切实推动”“取得实效”一类套话外{'几乎' if rest else ''}什么也没有，"
                        "没有写明做什么、做多少，年终无从评价")
    if len(rest) <= s["template.unrelated_max_chars"] and not (_bigrams(rest) & _bigrams(_own_names(form))):
        return "medium", f"除套话外只剩“{rest}”，与项目名称和绩效指标均无关联，没有写明本项目做什么、做多少"
    return None


def _unit_level(form: Form) -> str | None:
    """district, city or province, from the implementing unit's and the department's names."""
    names = [normalise(n) for n in (form.unit, form.department) if n]
    for n in names:
        m = _DISTRICT.search(n)
        if m and not (len(m.group(1)) == 1 and m.group(1) in _NOT_DISTRICT):
            return "district"
    if any(_PROVINCE.search(n) for n in names):
        return "province"
    return "city" if any("市" in n for n in names) else None


def _other_level(form: Form, text: str) -> tuple[str, str] | None:
    level = _unit_level(form)
    if level is None:
        return None
    own = normalise(_own_names(form))
    for clause in _CLAUSE.split(text):
        c = re.sub(r"\s+", "", clause)
        for m in re.finditer(_ABOVE[level], c):
            before, after = c[:m.start()], c[m.end():]
            if _CITES.search(before) or _RANKS.match(after) or (m.group(0) + after[:2]) in own:
                continue
            unit = {"district": "区级", "city": "市级", "province": "省级"}[level]
            return "medium", f"实施单位为{unit}单位，目标却写“{c}”，是{m.group(0)}层面的任务，不是本单位本项目能完成和考核的"
    return None


def _past(form: Form, text: str) -> tuple[str, str] | None:
    if form.form_type != FormType.declaration or _FUTURE.search(text):
        return None
    for clause in _CLAUSE.split(text):
        c = re.sub(r"\s+", "", clause)
        earlier = any(int(y) < (form.year or 0) for y in re.findall(r"(\d{4})年", c))
        if earlier or _CONTEXT_CLAUSE.search(c):
            continue
        for m in _PAST.finditer(c):
            if not _CONTEXT_BEFORE.search(c[:m.start()]):
                return "medium", f"申报表的目标应写本年度要做到什么，这里却写“{c}”，是已完成的口吻，像是事后补报或照抄完成情况"
    return None


def _goals(form: Form) -> list[tuple[str, str]]:
    g = form.goal
    if form.form_type == FormType.declaration:
        out = [("项目总目标", g.overall), ("年度总体目标", g.annual or g.expected)]
        if g.overall and normalise(g.overall) == normalise(g.annual or g.expected):
            out = out[1:]
    else:
        out = [("预期目标", g.expected)]
    return [(label, text) for label, text in out if text and text.strip()]


@form_check("goal.template_text")
def template_text(form: Form, s: Settings) -> Iterator[Finding]:
    for label, text in _goals(form):
        found = [x for x in (_slogan(form, text, s), _other_level(form, text), _past(form, text)) if x]
        if not found:
            continue
        reasons = "；".join(why for _, why in found)
        severity = max((sev for sev, _ in found), key=SEVERITY_RANK.__getitem__)
        yield finding(form, "goal.template_text", severity,
                      f"{form.project_name}的{label}没有描述本项目：{reasons}。",
                      [where(form, label, text, line=form.goal.expected_line)], label)

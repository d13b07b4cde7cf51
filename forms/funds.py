"""The funds block: 项目资金 (declarations, in 元) and 预算执行情况 (tracking, self-evaluation, in 万元).

Declarations lay items out as label/amount pairs, two per row (project total on the left, this
year's request on the right). Tracking and self-evaluation forms have one item per row and a
row of column labels; exports sometimes drop or shift a column label, so values are mapped to
columns by count, preferring the form's own labels when they match.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from jixiao.forms.layout import funds_unit
from jixiao.forms.models import FormType, Funds, FundsRow, FundsValue, Issue
from jixiao.forms.taxonomy import label_key
from jixiao.forms.textio import Row
from jixiao.forms.values import is_placeholder, parse_number

ITEMS: dict[str, tuple[str, str]] = {  # label key -> (key, canonical item)
    "年度资金总额": ("total", "年度资金总额"),
    "年度资金申请总额": ("total", "年度资金总额"),
    "资金总额": ("total", "年度资金总额"),
    "当年财政拨款": ("fiscal", "当年财政拨款"),
    "本年财政拨款": ("fiscal", "当年财政拨款"),
    "财政拨款": ("fiscal", "当年财政拨款"),
    "上年结转资金": ("carryover", "上年结转资金"),
    "上年结转": ("carryover", "上年结转资金"),
    "结转资金": ("carryover", "上年结转资金"),
    "其他资金": ("other", "其他资金"),
    "项目资金总额": ("project_total", "项目资金总额"),
    "财政资金": ("project_fiscal", "财政资金"),
}
_PROJECT_SIDE = {"project_total", "project_fiscal"}

COLUMNS: dict[str, str] = {  # label key -> column key
    "年初预算数": "budget_initial",
    "全年预算数": "budget_annual",
    "调整后预算数": "budget_annual",
    "跟踪期预算数": "budget_period",
    "跟踪期执行数": "spent",
    "全年执行数": "spent",
    "执行数": "spent",
    "分数": "weight",
    "分值": "weight",
    "执行率(%)": "execution_rate",
    "执行率": "execution_rate",
    "得分": "score",
}
STANDARD = {
    FormType.tracking: ["budget_initial", "budget_period", "spent", "execution_rate"],
    FormType.self_evaluation: ["budget_initial", "budget_annual", "spent", "weight", "execution_rate", "score"],
}
_LABELS = {
    "budget_initial": "年初预算数", "budget_annual": "全年预算数", "budget_period": "跟踪期预算数",
    "spent": "执行数", "weight": "分数", "execution_rate": "执行率(%)", "score": "得分", "amount": "金额",
}
_NOT_AMOUNTS = {"weight", "execution_rate", "score"}


def item_of(cell: str) -> tuple[str, str] | None:
    key = label_key(cell).replace("其中", "").strip(":：")
    return ITEMS.get(key)


def _round2(x: float) -> float:
    if not abs(x) < 1e20:  # cents of a larger number exceed Decimal's 28 digits (and inf/nan have none)
        return x
    return float(Decimal(str(x)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


class FundsBuilder:
    def __init__(self, file: str):
        self.file = file
        self.unit: str | None = None
        self.header_cols: list[str] = []
        self.header_pos: list[int] = []
        self.rows: list[FundsRow] = []
        self.pending: list[tuple[Row, list[tuple[str, str, str, list[tuple[int, str]]]]]] = []
        self.seen = False

    def header(self, row: Row) -> None:
        self.seen = True
        self.unit = self.unit or funds_unit(row)
        cols: list[tuple[int, str]] = []
        for col, t in row.texts[1:]:  # the first cell is the block's label, 项目资金（万元）
            key = label_key(t)
            c = COLUMNS.get(key) or COLUMNS.get(key.replace("(%)", ""))
            if c is None and item_of(t) is None and parse_number(t) is None and not is_placeholder(t):
                c = key  # a column of another template: kept under its own label
            if c is not None:
                cols.append((col, c))
        if any(c in _LABELS for _, c in cols):
            self.header_cols = [c for _, c in cols]
            self.header_pos = [p for p, _ in cols]
        self.items(row)

    def items(self, row: Row) -> bool:
        """Collect (item, amounts) pairs of a row; True if the row held any fund item."""
        texts = row.texts
        found: list[tuple[str, str, str, list[tuple[int, str]]]] = []
        for col, t in texts:
            it = item_of(t)
            if it:
                found.append((it[0], it[1], t, []))
            elif found and (parse_number(t) is not None or is_placeholder(t)):
                found[-1][3].append((col, t))
        if not found:
            return False
        self.seen = True
        # Two 其他资金 on a row, or one before another item: the first is the project-total side.
        keys = [f[0] for f in found]
        for i, f in enumerate(found):
            if f[0] == "other" and (keys.count("other") > 1 and i == keys.index("other")
                                    or any(k not in ("other",) + tuple(_PROJECT_SIDE) for k in keys[i + 1:])):
                found[i] = ("project_other", "其他资金(项目)", f[2], f[3])
        self.pending.append((row, found))
        return True

    def _columns_for(self, cells: list[tuple[int, str]], standard: list[str], row: Row, raw_label: str,
                     issues: list[Issue]) -> list[str]:
        n, hc = len(cells), self.header_cols
        if n == 0:  # an item row left blank (上年结转资金 with no value, as Word tables leave it)
            return []
        if n == len(hc):
            return hc
        if n == len(standard):
            return standard
        if hc and n < len(hc):
            # A blank cell in the middle: place values under the header columns by position,
            # with the common shift between this row and the header that fits best.
            shifts = {c - p for c, _ in cells for p in self.header_pos}
            best = min(shifts, key=lambda d: sum(min(abs(c - d - p) for p in self.header_pos) for c, _ in cells))
            out, used = [], set()
            for c, _ in cells:
                j = min((j for j in range(len(hc)) if j not in used), key=lambda j: abs(c - best - self.header_pos[j]))
                used.add(j)
                out.append(hc[j])
            issues.append(Issue(file=self.file, line=row.no, message=(
                f"资金行“{raw_label}”只有 {n} 个数（表头 {len(hc)} 列），按位置对齐到 {'、'.join(_LABELS.get(c, c) for c in out)}")))
            return out
        issues.append(Issue(file=self.file, line=row.no, message=(
            f"资金行“{raw_label}”有 {n} 个数，表头有 {len(hc)} 列；按标准列序读取")))
        return standard[:n] + [f"col{i}" for i in range(len(standard), n)]

    def build(self, form_type: FormType, issues: list[Issue]) -> Funds | None:
        if not self.seen:
            return None
        original = self.unit or ("元" if form_type == FormType.declaration else "万元")
        factor = 10000.0 if original == "元" else 1.0
        funds = Funds(original_unit=original)
        standard = STANDARD.get(form_type)
        for row, found in self.pending:
            for key, item, raw_label, cells in found:
                if standard is None:
                    cols, cells = ["amount"], cells[:1]
                else:
                    cols = self._columns_for(cells, standard, row, raw_label, issues)
                values = {}
                for c, (_, raw) in zip(cols, cells):
                    v = parse_number(raw)
                    if v is not None and c not in _NOT_AMOUNTS:
                        v = v / factor
                    values[c] = FundsValue(raw=raw, value=v)
                funds.rows.append(FundsRow(item=item, key=key, raw_label=raw_label, values=values, line=row.no))
        used = {c for r in funds.rows for c in r.values}
        funds.columns = {c: _LABELS.get(c, c) for c in (standard or ["amount"]) if c in used}
        funds.columns.update({c: _LABELS.get(c, c) for c in used if c not in funds.columns})
        total = next((r for r in funds.rows if r.key == "total"), None)
        if total is not None:
            get = lambda c: total.values[c].value if c in total.values else None  # noqa: E731
            funds.weight, funds.score, funds.execution_rate = get("weight"), get("score"), get("execution_rate")
            if form_type == FormType.self_evaluation and funds.score is None \
                    and funds.weight is not None and funds.execution_rate is not None:
                funds.score = _round2(min(funds.execution_rate, 100.0) / 100.0 * funds.weight)
                funds.score_derived = True
                issues.append(Issue(file=self.file, line=total.line, message=(
                    f"资金行缺“得分”，按 执行率 {funds.execution_rate:g}% × 分数 {funds.weight:g} 计为 {funds.score:g}")))
        return funds

/** Thousands separators without the locale of the machine, so output is the same everywhere. */
export function formatCount(value) {
    const sign = value < 0 ? "-" : "";
    return sign + String(Math.abs(Math.trunc(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
/** SVG coordinates with at most two decimals, as stable text. */
const coord = (value) => String(Math.round(value * 100) / 100);
/** Bars scaled to the largest value; a non-zero value always gets a visible sliver. */
export function barRows(items) {
    const max = Math.max(0, ...items.map((i) => i.value));
    const percent = (value) => {
        if (value <= 0 || max === 0)
            return "0";
        return coord(Math.max(1.5, (value / max) * 100));
    };
    return items.map((item) => ({
        label: item.label,
        tone: item.tone,
        value: item.value,
        value_text: item.value_text,
        width: percent(item.value),
        highlight_width: percent(Math.min(item.highlight, item.value)),
        has_highlight: item.highlight > 0,
    }));
}
export const TREND_SERIES = [
    { key: "users", label: "Organization members" },
    { key: "memberships", label: "Group memberships" },
    { key: "groups", label: "Groups" },
    { key: "elevated_grants", label: "Elevated grants" },
];
/** "+3", "−12", "0": a count with its sign (U+2212 minus, as the rest of the trend's text). */
export function formatSigned(value) {
    if (value === 0)
        return "0";
    return `${value > 0 ? "+" : "−"}${formatCount(Math.abs(value))}`;
}
/**
 * A relative change in percent with its sign, without the machine's locale: two decimals below
 * 10% (so +3 on 18,000 reads "+0.02%" rather than "+0%"), one below 100%, none above; a change
 * too small for two decimals gets the decimals it needs to show two significant digits, so a real
 * change never reads as 0%. `before` must not be 0.
 */
export function formatPercent(before, after) {
    const percent = ((after - before) / Math.abs(before)) * 100;
    if (percent === 0)
        return "0%";
    const size = Math.abs(percent);
    const decimals = size >= 100 ? 0 : size >= 10 ? 1 : size >= 0.01 ? 2 : 1 - Math.floor(Math.log10(size));
    // toFixed is locale-independent; trailing zeros say nothing ("+40%", not "+40.0%").
    const fixed = size.toFixed(decimals);
    const text = decimals > 0 ? fixed.replace(/\.?0+$/, "") : fixed;
    return `${percent > 0 ? "+" : "−"}${text}%`;
}
/**
 * The change from `before` to `after` in numbers: "+3, +0.02%", "−40, −20%", "no change", and
 * "+5, from 0" where a percentage of nothing has no meaning.
 */
export function changeLabel(before, after) {
    const delta = after - before;
    if (delta === 0)
        return "no change";
    if (before === 0)
        return `${formatSigned(delta)}, from 0`;
    return `${formatSigned(delta)}, ${formatPercent(before, after)}`;
}
/** The smallest 1, 2 or 5 × 10^k at or above `value` (1 for nothing to show): the axis top. */
export function niceCeiling(value) {
    if (!(value > 0))
        return 1;
    const magnitude = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 5, 10]) {
        if (step * magnitude >= value)
            return step * magnitude;
    }
    return 10 * magnitude;
}
/**
 * The y axis every trend chart uses: from zero to a round value at or above the largest point.
 * Why zero and not the series' own range: a line's height is then proportional to its value, so
 * a change looks as large as it is relative to the whole (18,000 → 18,003 members is a level line,
 * 10 → 20 elevated grants doubles in height), whatever the series; an axis fitted to the data
 * would draw +0.02% as a full-height climb. The exact change is in the caption, in numbers.
 */
export function zeroBasedAxis(values) {
    const top = niceCeiling(Math.max(0, ...values));
    const ticks = Number.isInteger(top / 2) && top >= 2 ? [0, top / 2, top] : [0, top];
    return { top, ticks };
}
/** Fewer snapshots than this are shown as numbers: two points make a line that only suggests a trend. */
export const MIN_CHART_POINTS = 3;
const W = 320;
const H = 132;
const PLOT = { left: 64, right: 308, top: 12, bottom: 96 };
/** Where the y labels end, just left of the plot. */
const Y_LABEL_X = 58;
const pointName = (p) => `snapshot ${p.snapshot_id} (${p.date})`;
/**
 * Separate panels rather than one chart: members run to tens of thousands while elevated
 * grants are dozens, and on a shared axis the small series would be a flat line at zero. Each
 * panel has its own top but the same rule (zeroBasedAxis), so none exaggerates its changes.
 */
export function trendPanels(trend) {
    const n = trend.length;
    const first = trend[0];
    const last = trend[n - 1];
    return TREND_SERIES.map(({ key, label }) => {
        const values = trend.map((p) => p[key]);
        const lo = n === 0 ? 0 : Math.min(...values);
        const hi = n === 0 ? 0 : Math.max(...values);
        const axis = zeroBasedAxis(values);
        const y = (v) => PLOT.bottom - (v / axis.top) * (PLOT.bottom - PLOT.top);
        const x = (i) => n <= 1 ? (PLOT.left + PLOT.right) / 2 : PLOT.left + (i / (n - 1)) * (PLOT.right - PLOT.left);
        const dots = trend.map((p, i) => {
            const previous = trend[i - 1];
            const step = previous === undefined
                ? ""
                : ` (${changeLabel(previous[key], p[key])} since snapshot ${previous.snapshot_id})`;
            return {
                cx: coord(x(i)),
                cy: coord(y(p[key])),
                title: `${label}, ${pointName(p)}: ${formatCount(p[key])}${step}`,
            };
        });
        const xLabels = first && last
            ? [
                { x: coord(PLOT.left), y: "116", anchor: "start", text: `#${first.snapshot_id}` },
                { x: coord(PLOT.left), y: "128", anchor: "start", text: first.date },
                { x: coord(PLOT.right), y: "116", anchor: "end", text: `#${last.snapshot_id}` },
                { x: coord(PLOT.right), y: "128", anchor: "end", text: last.date },
            ]
            : [];
        const grid = axis.ticks.map((t) => ({ y: coord(y(t)), label: formatCount(t) }));
        const overall = first && last ? changeLabel(first[key], last[key]) : "";
        // The largest step (by size; the earliest of equal ones), when there is more than one step.
        let step = null;
        for (let i = 1; n >= MIN_CHART_POINTS && i < n; i++) {
            const a = trend[i - 1];
            const b = trend[i];
            const size = Math.abs(b[key] - a[key]);
            if (size > 0 && (step === null || size > step.size)) {
                step = {
                    size,
                    text: `largest step ${changeLabel(a[key], b[key])}, #${a.snapshot_id} → #${b.snapshot_id}`,
                };
            }
        }
        const changeText = n <= 1 ? "only one snapshot so far" : `${overall} since snapshot ${first?.snapshot_id}`;
        const aria = first && last
            ? n === 1
                ? `${label}: ${formatCount(first[key])} at ${pointName(first)}; only one snapshot so far.`
                : `${label} over ${n} snapshots: from ${formatCount(first[key])} at ${pointName(first)} to ${formatCount(last[key])} at ${pointName(last)}, ${overall}; lowest ${formatCount(lo)}, highest ${formatCount(hi)}; the axis starts at 0.`
            : `${label}: no snapshots.`;
        const numbers = first && last
            ? n === 1
                ? [{ label: `#${first.snapshot_id} (${first.date})`, value: formatCount(first[key]) }]
                : [
                    { label: `#${first.snapshot_id} (${first.date})`, value: formatCount(first[key]) },
                    { label: `#${last.snapshot_id} (${last.date})`, value: formatCount(last[key]) },
                    { label: "Change", value: overall },
                ]
            : [];
        return {
            key,
            label,
            latest_text: last ? formatCount(last[key]) : "—",
            change_text: changeText,
            step_text: step?.text ?? null,
            aria_label: aria,
            chart: n >= MIN_CHART_POINTS,
            numbers,
            width: W,
            height: H,
            points: dots.map((d) => `${d.cx},${d.cy}`).join(" "),
            dots,
            grid,
            x_labels: xLabels,
            plot_left: coord(PLOT.left),
            plot_right: coord(PLOT.right),
            y_label_x: coord(Y_LABEL_X),
        };
    });
}
//# sourceMappingURL=html-charts.js.map
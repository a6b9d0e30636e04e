/**
 * Geometry of the HTML report's charts, computed on the server so the report needs no script to
 * show them. Only numbers and plain text come out of here: the templates draw the SVG with
 * escaped `{{ }}`, so a chart can never carry markup.
 */
import type { TrendPoint } from "./model.js";

/** Thousands separators without the locale of the machine, so output is the same everywhere. */
export function formatCount(value: number): string {
  const sign = value < 0 ? "-" : "";
  return sign + String(Math.abs(Math.trunc(value))).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** SVG coordinates with at most two decimals, as stable text. */
const coord = (value: number): string => String(Math.round(value * 100) / 100);

/** Bar widths in percent of the track, for a bar chart drawn as a table (label, bar, value). */
export interface BarRow {
  label: string;
  /** Which colour: a severity name or `change`. */
  tone: string;
  value: number;
  value_text: string;
  /** Width of the whole bar, percent of the track ("0" for no bar). */
  width: string;
  /** Width of the highlighted part (e.g. new findings) from the left, percent of the track. */
  highlight_width: string;
  has_highlight: boolean;
}

export interface BarInput {
  label: string;
  tone: string;
  value: number;
  /** A part of `value` drawn darker (new findings); 0 for none. */
  highlight: number;
  value_text: string;
}

/** Bars scaled to the largest value; a non-zero value always gets a visible sliver. */
export function barRows(items: readonly BarInput[]): BarRow[] {
  const max = Math.max(0, ...items.map((i) => i.value));
  const percent = (value: number): string => {
    if (value <= 0 || max === 0) return "0";
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

export type TrendSeriesKey = "users" | "memberships" | "groups" | "elevated_grants";

export const TREND_SERIES: readonly { key: TrendSeriesKey; label: string }[] = [
  { key: "users", label: "Organization members" },
  { key: "memberships", label: "Group memberships" },
  { key: "groups", label: "Groups" },
  { key: "elevated_grants", label: "Elevated grants" },
];

export interface TrendDot {
  cx: string;
  cy: string;
  /** Tooltip text: snapshot, date and value. */
  title: string;
}

export interface TrendAxisLabel {
  x: string;
  y: string;
  anchor: "start" | "middle" | "end";
  text: string;
}

/** One small line chart: one series over the trend's snapshots, on its own scale. */
export interface TrendPanel {
  key: TrendSeriesKey;
  label: string;
  /** The latest value and the change over the trend, for the caption. */
  latest_text: string;
  change_text: string;
  aria_label: string;
  width: number;
  height: number;
  points: string;
  dots: TrendDot[];
  grid: { y: string; label: string }[];
  x_labels: TrendAxisLabel[];
  plot_left: string;
  plot_right: string;
  y_label_x: string;
}

const W = 320;
const H = 132;
const PLOT = { left: 64, right: 308, top: 12, bottom: 96 };
/** Where the y labels end, just left of the plot. */
const Y_LABEL_X = 58;

const pointName = (p: TrendPoint): string => `snapshot ${p.snapshot_id} (${p.date})`;

/**
 * Separate panels rather than one chart: members run to tens of thousands while elevated
 * grants are dozens, and on a shared axis the small series would be a flat line at zero.
 */
export function trendPanels(trend: readonly TrendPoint[]): TrendPanel[] {
  return TREND_SERIES.map(({ key, label }) => {
    const values = trend.map((p) => p[key]);
    const lo = values.length === 0 ? 0 : Math.min(...values);
    const hi = values.length === 0 ? 0 : Math.max(...values);
    // A flat series is drawn across the middle, with its value as the only gridline.
    const flat = lo === hi;
    const y = (v: number): number =>
      flat
        ? (PLOT.top + PLOT.bottom) / 2
        : PLOT.bottom - ((v - lo) / (hi - lo)) * (PLOT.bottom - PLOT.top);
    const n = trend.length;
    const x = (i: number): number =>
      n <= 1 ? (PLOT.left + PLOT.right) / 2 : PLOT.left + (i / (n - 1)) * (PLOT.right - PLOT.left);
    const dots = trend.map((p, i) => ({
      cx: coord(x(i)),
      cy: coord(y(p[key])),
      title: `${label}, ${pointName(p)}: ${formatCount(p[key])}`,
    }));
    const first = trend[0];
    const last = trend[n - 1];
    const xLabels: TrendAxisLabel[] = [];
    if (first && last && n === 1) {
      xLabels.push({ x: coord(x(0)), y: "116", anchor: "middle", text: `#${first.snapshot_id}` });
      xLabels.push({ x: coord(x(0)), y: "128", anchor: "middle", text: first.date });
    } else if (first && last) {
      xLabels.push({
        x: coord(PLOT.left),
        y: "116",
        anchor: "start",
        text: `#${first.snapshot_id}`,
      });
      xLabels.push({ x: coord(PLOT.left), y: "128", anchor: "start", text: first.date });
      xLabels.push({ x: coord(PLOT.right), y: "116", anchor: "end", text: `#${last.snapshot_id}` });
      xLabels.push({ x: coord(PLOT.right), y: "128", anchor: "end", text: last.date });
    }
    const grid = flat
      ? [{ y: coord(y(lo)), label: formatCount(lo) }]
      : [
          { y: coord(PLOT.top), label: formatCount(hi) },
          { y: coord(PLOT.bottom), label: formatCount(lo) },
        ];
    const delta = first && last ? last[key] - first[key] : 0;
    const changeText =
      n <= 1
        ? "only one snapshot so far"
        : delta === 0
          ? `no change over ${n} snapshots`
          : `${delta > 0 ? "+" : "−"}${formatCount(Math.abs(delta))} since snapshot ${first?.snapshot_id}`;
    const aria =
      first && last
        ? n === 1
          ? `${label}: ${formatCount(first[key])} at ${pointName(first)}; only one snapshot so far.`
          : `${label} over ${n} snapshots: from ${formatCount(first[key])} at ${pointName(first)} to ${formatCount(last[key])} at ${pointName(last)}; lowest ${formatCount(lo)}, highest ${formatCount(hi)}.`
        : `${label}: no snapshots.`;
    return {
      key,
      label,
      latest_text: last ? formatCount(last[key]) : "—",
      change_text: changeText,
      aria_label: aria,
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

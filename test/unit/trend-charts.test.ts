/** The trend charts' scale and labels (src/report/html-charts.ts): pure functions. */
import { describe, expect, it } from "vitest";
import {
  changeLabel,
  formatPercent,
  formatSigned,
  niceCeiling,
  trendPanels,
  zeroBasedAxis,
} from "../../src/report/html-charts.js";
import type { TrendPoint } from "../../src/report/model.js";

const point = (id: number, users: number, elevated = 10): TrendPoint => ({
  snapshot_id: id,
  date: `2026-11-${String(id).padStart(2, "0")}`,
  users,
  memberships: users * 2,
  groups: 100,
  elevated_grants: elevated,
});

describe("change labels", () => {
  it("a small rise keeps its sign and enough decimals: 18,000 → 18,003 is +3, +0.02%", () => {
    expect(changeLabel(18_000, 18_003)).toBe("+3, +0.02%");
  });

  it("a fall has a minus sign on both numbers", () => {
    expect(changeLabel(200, 160)).toBe("−40, −20%");
    expect(changeLabel(18_003, 18_000)).toBe("−3, −0.02%");
  });

  it("no change says so", () => {
    expect(changeLabel(18_000, 18_000)).toBe("no change");
    expect(changeLabel(0, 0)).toBe("no change");
  });

  it("from zero there is no percentage", () => {
    expect(changeLabel(0, 5)).toBe("+5, from 0");
    expect(changeLabel(5, 0)).toBe("−5, −100%");
  });

  it("thousands separators and percentages do not depend on the locale", () => {
    expect(changeLabel(1_000_000, 1_250_000)).toBe("+250,000, +25%");
    expect(changeLabel(10, 35)).toBe("+25, +250%");
    expect(changeLabel(3, 4)).toBe("+1, +33.3%");
  });

  it("a change too small for two decimals still shows, never as 0%", () => {
    expect(formatPercent(5_000_000, 5_000_001)).toBe("+0.00002%");
    expect(formatPercent(18_000, 18_001)).toBe("+0.0056%");
    expect(formatPercent(100, 100)).toBe("0%");
  });

  it("counts carry their sign", () => {
    expect(formatSigned(1234)).toBe("+1,234");
    expect(formatSigned(-1234)).toBe("−1,234");
    expect(formatSigned(0)).toBe("0");
  });
});

describe("the zero-based axis", () => {
  it("tops at the next round value and always starts at 0", () => {
    expect(niceCeiling(18_003)).toBe(20_000);
    expect(niceCeiling(7)).toBe(10);
    expect(niceCeiling(100)).toBe(100);
    expect(niceCeiling(101)).toBe(200);
    expect(niceCeiling(0)).toBe(1);
    expect(zeroBasedAxis([18_000, 18_003])).toEqual({ top: 20_000, ticks: [0, 10_000, 20_000] });
    expect(zeroBasedAxis([0, 0])).toEqual({ top: 1, ticks: [0, 1] });
  });

  it("draws +0.02% as a level line, not a full-height climb", () => {
    const [users] = trendPanels([point(1, 18_000), point(2, 18_001), point(3, 18_003)]);
    expect(users?.chart).toBe(true);
    const ys = users?.dots.map((d) => Number(d.cy)) ?? [];
    // 84 units of plot height from 0 to 20,000: 3 members move the line less than 0.1 unit.
    expect(Math.max(...ys) - Math.min(...ys)).toBeLessThan(0.1);
    expect(users?.grid.map((g) => g.label)).toEqual(["0", "10,000", "20,000"]);
    expect(users?.change_text).toBe("+3, +0.02% since snapshot 1");
    expect(users?.step_text).toBe("largest step +2, +0.01%, #2 → #3");
    expect(users?.aria_label).toContain("+3, +0.02%");
    expect(users?.aria_label).toContain("the axis starts at 0");
    expect(users?.dots[2]?.title).toContain("18,003 (+2, +0.01% since snapshot 2)");
  });

  it("a doubling is drawn as a doubling", () => {
    const panels = trendPanels([point(1, 10, 5), point(2, 10, 8), point(3, 10, 10)]);
    const elevated = panels.find((p) => p.key === "elevated_grants");
    const [first, , last] = elevated?.dots.map((d) => Number(d.cy)) ?? [];
    // The zero line is the chart's own bottom gridline, inside the drawing.
    expect(elevated?.grid[0]?.label).toBe("0");
    const bottom = Number(elevated?.grid[0]?.y);
    expect(bottom).toBeLessThan(elevated?.height ?? 0);
    expect(bottom - (last ?? 0)).toBeCloseTo(2 * (bottom - (first ?? 0)), 5);
  });
});

describe("too few snapshots for a line", () => {
  it("two snapshots: before, after and change as numbers, no chart", () => {
    const [users] = trendPanels([point(1, 18_000), point(2, 18_003)]);
    expect(users?.chart).toBe(false);
    expect(users?.numbers).toEqual([
      { label: "#1 (2026-11-01)", value: "18,000" },
      { label: "#2 (2026-11-02)", value: "18,003" },
      { label: "Change", value: "+3, +0.02%" },
    ]);
    expect(users?.step_text).toBeNull();
  });

  it("one snapshot: its value only", () => {
    const [users] = trendPanels([point(4, 18_000)]);
    expect(users?.chart).toBe(false);
    expect(users?.numbers).toEqual([{ label: "#4 (2026-11-04)", value: "18,000" }]);
    expect(users?.change_text).toBe("only one snapshot so far");
  });
});

// Sorting, filtering and paging of the report's tables. Every row is already in the page; this
// only reorders rows and toggles two classes: `is-filtered` (hidden everywhere) and `is-paged`
// (hidden on screen only, and only once this script has marked the page with `js`, so without
// script every row shows, and printing shows every row of the current filter). It reads the
// page with textContent and writes with textContent: no data is ever parsed as HTML.
//
// It runs from <head>: the `js` class is set before the body is parsed, so the rows the server
// marked as later pages are never laid out, which keeps a table of 50,000 rows quick to open.
(() => {
  document.documentElement.classList.add("js");

  const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  const formatCount = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");

  const compareKeys = (numeric) => (a, b) => {
    if (numeric) {
      // Cells without a number sort after every number.
      const an = Number.isNaN(a) ? Number.POSITIVE_INFINITY : a;
      const bn = Number.isNaN(b) ? Number.POSITIVE_INFINITY : b;
      return an === bn ? 0 : an < bn ? -1 : 1;
    }
    return collator.compare(a, b);
  };

  const cellKey = (cell, numeric) => {
    if (!cell) return numeric ? Number.NaN : "";
    const raw = cell.hasAttribute("data-sort")
      ? cell.getAttribute("data-sort")
      : cell.textContent.trim();
    return numeric ? Number.parseFloat(raw) : raw;
  };

  const setUp = (block) => {
    const table = block.querySelector("table");
    const body = table?.tBodies[0];
    const tools = block.querySelector(".table-tools");
    if (!table || !body || !tools) return;
    const input = block.querySelector("[data-filter]");
    const status = block.querySelector("[data-status]");
    const pager = block.querySelector("[data-pager]");
    const pageLabel = block.querySelector("[data-page-label]");
    const printNote = block.querySelector("[data-print-note]");
    const buttons = {};
    for (const button of block.querySelectorAll("[data-page]")) {
      buttons[button.getAttribute("data-page")] = button;
    }
    const parsed = Number.parseInt(block.getAttribute("data-page-size") ?? "", 10);
    const pageSize = Number.isFinite(parsed) && parsed > 0 ? parsed : 100;

    const rows = Array.from(body.rows, (tr, index) => ({
      tr,
      index,
      text: tr.textContent.toLowerCase().replace(/\s+/g, " "),
      keys: [],
    }));
    const total = rows.length;
    let order = rows;
    let matching = rows;
    let page = 0;
    let query = "";

    /** Runs `change` with the table body out of the document when `detach` is true. */
    const detached = (detach, change) => {
      if (!detach || !body.isConnected) {
        change();
        return;
      }
      const next = body.nextSibling;
      table.removeChild(body);
      change();
      table.insertBefore(body, next);
    };

    const render = () => {
      const pages = Math.max(1, Math.ceil(matching.length / pageSize));
      page = Math.min(Math.max(page, 0), pages - 1);
      const start = page * pageSize;
      const end = Math.min(start + pageSize, matching.length);
      const state = new Map();
      matching.forEach((row, i) => {
        state.set(row, i >= start && i < end ? "" : "is-paged");
      });
      // Only touch rows whose state changes, and many of them only while the body is out of
      // the document: restyling thousands of rendered rows one by one is what makes tables slow.
      const changes = [];
      for (const row of rows) {
        const wanted = state.get(row) ?? "is-filtered";
        if (row.state !== wanted) changes.push([row, wanted]);
      }
      detached(changes.length > 500, () => {
        for (const [row, wanted] of changes) {
          row.tr.classList.remove("is-filtered", "is-paged");
          if (wanted !== "") row.tr.classList.add(wanted);
          row.state = wanted;
        }
      });

      const filtered = matching.length === total ? "" : ` (filtered from ${formatCount(total)})`;
      status.textContent =
        matching.length === 0
          ? `No rows match the filter (of ${formatCount(total)}).`
          : `Rows ${formatCount(start + 1)}–${formatCount(end)} of ${formatCount(matching.length)}${filtered}`;
      pager.hidden = pages <= 1;
      pageLabel.textContent = `Page ${formatCount(page + 1)} of ${formatCount(pages)}`;
      buttons.first.disabled = page === 0;
      buttons.prev.disabled = page === 0;
      buttons.next.disabled = page >= pages - 1;
      buttons.last.disabled = page >= pages - 1;
      if (printNote) {
        printNote.hidden = query === "";
        printNote.textContent =
          query === ""
            ? ""
            : `Filtered by “${input.value.trim()}”: ${formatCount(matching.length)} of ${formatCount(total)} rows.`;
      }
    };

    const applyFilter = () => {
      query = input.value.trim().toLowerCase();
      const terms = query.split(/\s+/).filter((t) => t !== "");
      matching =
        terms.length === 0 ? order : order.filter((r) => terms.every((t) => r.text.includes(t)));
      page = 0;
      render();
    };

    const headers = Array.from(table.tHead?.rows[0]?.cells ?? []);
    const sortBy = (column, th, descending) => {
      const numeric = th.getAttribute("data-type") === "number";
      for (const row of rows) {
        if (row.keys[column] === undefined) {
          row.keys[column] = cellKey(row.tr.cells[column], numeric);
        }
      }
      const compare = compareKeys(numeric);
      const sign = descending ? -1 : 1;
      // Ties keep the server's order, so a sort is stable and repeatable.
      order = rows
        .slice()
        .sort((a, b) => sign * compare(a.keys[column], b.keys[column]) || a.index - b.index);
      for (const other of headers) {
        if (other !== th) other.removeAttribute("aria-sort");
      }
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      // Reorder while the body is out of the document: moving rows inside a rendered table
      // costs work per row, moving them in a detached one almost nothing.
      detached(true, () => {
        for (const row of order) body.append(row.tr);
        applyFilter();
      });
    };

    headers.forEach((th, column) => {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.append(th.firstChild);
      const icon = document.createElement("span");
      icon.className = "sort-icon";
      icon.setAttribute("aria-hidden", "true");
      button.append(icon);
      th.append(button);
      button.addEventListener("click", () => {
        sortBy(column, th, th.getAttribute("aria-sort") === "ascending");
      });
    });

    let timer = 0;
    input.addEventListener("input", () => {
      window.clearTimeout(timer);
      // Large tables: wait for a pause in typing rather than refilter on every key.
      if (total > 5000) timer = window.setTimeout(applyFilter, 200);
      else applyFilter();
    });
    const go = (target) => {
      page = target;
      render();
    };
    buttons.first.addEventListener("click", () => go(0));
    buttons.prev.addEventListener("click", () => go(page - 1));
    buttons.next.addEventListener("click", () => go(page + 1));
    buttons.last.addEventListener("click", () => go(Number.POSITIVE_INFINITY));

    // The server marked the rows after the first page; start from that state.
    for (const row of rows) {
      row.state = row.tr.classList.contains("is-paged") ? "is-paged" : "";
    }
    tools.hidden = false;
    render();

    // A link to one of the rows (a credential's finding): clear a filter that hides it, turn
    // to its page, then show it.
    reveals.set(block, (tr) => {
      let row = matching.find((r) => r.tr === tr);
      if (!row) {
        input.value = "";
        applyFilter();
        row = matching.find((r) => r.tr === tr);
      }
      if (!row) return;
      page = Math.floor(matching.indexOf(row) / pageSize);
      render();
      tr.scrollIntoView();
    });
  };

  const reveals = new Map();
  const revealTarget = () => {
    let id = "";
    try {
      id = decodeURIComponent(window.location.hash.slice(1));
    } catch {
      return;
    }
    const target = id === "" ? null : document.getElementById(id);
    const block = target?.tagName === "TR" ? target.closest("[data-table]") : null;
    reveals.get(block)?.(target);
  };
  window.addEventListener("hashchange", revealTarget);

  document.addEventListener("DOMContentLoaded", () => {
    for (const block of document.querySelectorAll("[data-table]")) setUp(block);
    revealTarget();
  });
})();

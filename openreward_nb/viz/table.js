// A sortable, filterable table (anywidget ES module) for runs and rollouts.
// Every cell is set with textContent; clicking a row sets the `selected` trait to the row's id.
// The `filter` trait ({key, lo, hi, closed, label}) keeps rows whose `key` is in a range: the run
// charts set it when clicked, and the range inputs (for the `range_key` column) set it too.

const STEP = 200;

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function fmt(value, kind) {
  if (value === null || value === undefined || value === "") return "";
  if (kind === "reward") return (Math.round(value * 1e4) / 1e4).toString();
  if (kind === "int") return Number(value).toLocaleString("en-US");
  if (kind === "duration") {
    if (value < 1) return `${Math.round(value * 1000)} ms`;
    if (value < 60) return `${value.toFixed(1)} s`;
    const m = Math.floor(value / 60);
    return m < 60 ? `${m}m ${String(Math.floor(value % 60)).padStart(2, "0")}s` : `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, "0")}m`;
  }
  if (kind === "time") return new Date(value * 1000).toLocaleString();
  return String(value);
}

function compare(a, b) {
  const na = a === null || a === undefined, nb = b === null || b === undefined;
  if (na || nb) return na === nb ? 0 : na ? 1 : -1; // empty cells last
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a).localeCompare(String(b), undefined, { numeric: true });
}

function inRange(value, f) {
  if (value === null || value === undefined) return false;
  if (f.lo !== null && f.lo !== undefined && value < f.lo) return false;
  if (f.hi !== null && f.hi !== undefined && (f.closed ? value > f.hi : value >= f.hi)) return false;
  return true;
}

function numberOrNull(text) {
  const v = parseFloat(text);
  return Number.isFinite(v) ? v : null;
}

function render({ model, el: root }) {
  root.classList.add("orw-table");
  const bar = el("div", "orw-table-bar");
  const caption = el("span", "orw-table-caption");
  const filter = el("input", "orw-table-filter");
  filter.type = "search";
  filter.placeholder = "filter rows…";
  const range = el("span", "orw-table-range");
  const lo = el("input", "orw-range-lo");
  const hi = el("input", "orw-range-hi");
  for (const box of [lo, hi]) { box.type = "number"; box.step = "any"; }
  lo.placeholder = "min";
  hi.placeholder = "max";
  const chip = el("button", "orw-table-chip");
  chip.title = "clear this filter";
  const count = el("span", "orw-table-count");
  bar.append(caption, filter, range, chip, count);
  const scroller = el("div", "orw-table-scroll");
  const table = el("table");
  const thead = el("thead");
  const tbody = el("tbody");
  table.append(thead, tbody);
  scroller.append(table);
  const more = el("button", "orw-table-more");
  root.append(bar, scroller, more);

  let sortKey = model.get("sort_key") || null;
  let sortDir = model.get("sort_desc") ? -1 : 1;
  let limit = STEP;
  let query = "";

  function rangeColumn() {
    const key = model.get("range_key");
    return key ? model.get("columns").find((c) => c.key === key) : undefined;
  }

  function visibleRows() {
    const cols = model.get("columns");
    let rows = model.get("rows");
    const f = model.get("filter") || {};
    if (f.key) rows = rows.filter((r) => inRange(r[f.key], f));
    if (query) {
      rows = rows.filter((r) => cols.some((c) => fmt(r[c.key], c.kind).toLowerCase().includes(query)));
    }
    if (sortKey) rows = [...rows].sort((a, b) => sortDir * compare(a[sortKey], b[sortKey]));
    return rows;
  }

  function draw() {
    const cols = model.get("columns");
    caption.textContent = model.get("caption");
    const tr = el("tr");
    for (const c of cols) {
      const th = el("th", `orw-th orw-k-${c.kind}`, c.label);
      if (c.key === sortKey) th.classList.add(sortDir > 0 ? "orw-asc" : "orw-desc");
      th.addEventListener("click", () => {
        if (sortKey === c.key) sortDir = -sortDir;
        else { sortKey = c.key; sortDir = c.kind === "text" ? 1 : -1; }
        draw();
      });
      tr.append(th);
    }
    thead.replaceChildren(tr);
    const rows = visibleRows();
    const selected = model.get("selected");
    const frag = document.createDocumentFragment();
    for (const r of rows.slice(0, limit)) {
      const row = el("tr", "orw-row");
      if (r.id === selected) row.classList.add("orw-selected");
      for (const c of cols) {
        const td = el("td", `orw-k-${c.kind}`, fmt(r[c.key], c.kind));
        if (c.kind === "status") td.classList.add(`orw-st-${r[c.key]}`);
        row.append(td);
      }
      row.addEventListener("click", () => {
        model.set("selected", r.id);
        model.save_changes();
      });
      frag.append(row);
    }
    tbody.replaceChildren(frag);
    const f = model.get("filter") || {};
    chip.hidden = !f.key;
    chip.textContent = f.key ? `${f.label || f.key} ✕` : "";
    const rc = rangeColumn();
    range.hidden = !rc;
    if (rc && !range.firstChild) range.append(el("span", "orw-dim", rc.label), lo, el("span", "orw-dim", "to"), hi);
    if (rc && document.activeElement !== lo && document.activeElement !== hi) {
      const mine = f.key === rc.key;
      lo.value = mine && f.lo !== null && f.lo !== undefined ? f.lo : "";
      hi.value = mine && f.hi !== null && f.hi !== undefined ? f.hi : "";
    }
    const all = model.get("rows").length;
    count.textContent = rows.length === all ? `${all.toLocaleString("en-US")} rows` : `${rows.length.toLocaleString("en-US")} of ${all.toLocaleString("en-US")} rows`;
    more.hidden = rows.length <= limit;
    more.textContent = `show ${Math.min(STEP, rows.length - limit)} more`;
  }

  let timer = null;
  filter.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => { query = filter.value.trim().toLowerCase(); limit = STEP; draw(); }, 120);
  });
  more.addEventListener("click", () => { limit += STEP; draw(); });
  function setFilter(f) {
    model.set("filter", f);
    model.save_changes();
    limit = STEP;
    draw();
  }
  chip.addEventListener("click", () => setFilter({}));
  let rangeTimer = null;
  const onRange = () => {
    clearTimeout(rangeTimer);
    rangeTimer = setTimeout(() => {
      const rc = rangeColumn();
      const a = numberOrNull(lo.value), b = numberOrNull(hi.value);
      if (a === null && b === null) setFilter({});
      else setFilter({ key: rc.key, lo: a, hi: b, closed: true, label: `${rc.label} ${a ?? "…"} to ${b ?? "…"}` });
    }, 250);
  };
  lo.addEventListener("input", onRange);
  hi.addEventListener("input", onRange);
  const redraw = () => draw();
  const events = ["change:rows", "change:columns", "change:selected", "change:caption", "change:filter", "change:range_key"];
  for (const ev of events) model.on(ev, redraw);
  draw();
  return () => { for (const ev of events) model.off(ev, redraw); };
}

export default { render };

// The tasks heat map (anywidget ES module): tasks × runs (or × training steps), each cell coloured by
// its success rate or mean reward. Sorting and paging are asked of the kernel (the `sort`, `color`
// and `limit` traits); clicking a cell sets `selected` to {row, col}. Every string is set as text.

const BUTTONS = {
  sort: [["difficulty", "hardest first"], ["disagreement", "most disagreement"], ["task", "task name"]],
  color: [["success", "success rate"], ["reward", "mean reward"]],
};

const fmt = (v) => (v === null || v === undefined ? "–" : (Math.round(v * 1e4) / 1e4).toString());

// the color of a value from 0 (red) to 1 (green), as taskstatic.heat_color draws the static one
function heatColor(t) {
  const x = Math.max(0, Math.min(1, t));
  return `hsl(${Math.round(120 * x)} 62% 40%)`;
}

function render({ model, el: root }) {
  root.classList.add("orw-heat");
  const bar = el("div", "orw-heat-bar");
  const body = el("div", "orw-heat-scroll");
  const foot = el("div", "orw-heat-foot");
  root.append(bar, body, foot);

  function group(name, label) {
    const box = el("span", "orw-heat-group");
    box.append(el("span", "orw-dim", label));
    for (const [value, text] of BUTTONS[name]) {
      if (name === "sort" && value === "disagreement" && model.get("columns").length < 2) continue;
      const b = el("button", `orw-heat-btn orw-${name}-${value}`, text);
      if (model.get(name) === value) b.classList.add("orw-on");
      b.addEventListener("click", () => { model.set(name, value); model.save_changes(); });
      box.append(b);
    }
    return box;
  }

  function legend() {
    const color = model.get("color");
    const [lo, hi] = color === "success" ? [0, 1] : model.get("scale");
    const box = el("span", "orw-heat-legend");
    const ramp = el("span", "orw-heat-ramp");
    ramp.style.background = `linear-gradient(to right, ${heatColor(0)}, ${heatColor(0.5)}, ${heatColor(1)})`;
    const what = color === "success" ? `success (reward ≥ ${fmt(model.get("threshold"))})` : "mean reward";
    box.append(el("span", "orw-dim", fmt(lo)), ramp, el("span", "orw-dim", `${fmt(hi)} ${what}`));
    return box;
  }

  function cellText(cell, color) {
    if (!cell) return "";
    const v = color === "success" ? cell[0] : cell[1];
    if (v === null) return "·";
    return color === "success" ? `${Math.round(v * 100)}%` : fmt(v);
  }

  function draw() {
    const cols = model.get("columns");
    const rows = model.get("rows");
    const color = model.get("color");
    const [lo, hi] = color === "success" ? [0, 1] : model.get("scale");
    const selected = model.get("selected") || {};
    bar.replaceChildren(group("sort", "sort"), group("color", "color"), legend());
    const table = el("table", "orw-heat-table");
    const head = el("tr");
    head.append(el("th", "orw-heat-task", "task"));
    for (const c of cols) {
      const th = el("th", "orw-heat-col", c);
      th.title = c;
      head.append(th);
    }
    const thead = el("thead");
    thead.append(head);
    const tbody = el("tbody");
    for (const r of rows) {
      const tr = el("tr", "orw-heat-row");
      const name = el("td", "orw-heat-task", r.t);
      name.title = r.t;
      tr.append(name);
      r.c.forEach((cell, j) => {
        const td = el("td", "orw-heat-cell", cellText(cell, color));
        td.dataset.row = r.i;
        td.dataset.col = j;
        if (cell) {
          const v = color === "success" ? cell[0] : cell[1];
          if (v !== null) td.style.background = heatColor(hi > lo ? (v - lo) / (hi - lo) : 0.5);
          else td.classList.add("orw-heat-unscored");
          td.title = `${r.t} · ${cols[j]}: ${cell[2]} scored, success ${fmt(cell[0])}, mean reward ${fmt(cell[1])}`;
          td.addEventListener("click", () => { model.set("selected", { row: r.i, col: j }); model.save_changes(); });
        } else {
          td.classList.add("orw-heat-empty");
        }
        if (selected.row === r.i && selected.col === j) td.classList.add("orw-selected");
        tr.append(td);
      });
      tbody.append(tr);
    }
    table.append(thead, tbody);
    body.replaceChildren(table);
    const total = model.get("total");
    foot.replaceChildren(el("span", "orw-dim", `${rows.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")} tasks`));
    if (rows.length < total) {
      const page = model.get("page");
      const more = el("button", "orw-heat-more", `show ${Math.min(page, total - rows.length)} more`);
      more.addEventListener("click", () => { model.set("limit", rows.length + page); model.save_changes(); });
      foot.append(more);
    }
  }

  const redraw = () => draw();
  const events = ["change:rows", "change:columns", "change:color", "change:sort", "change:selected", "change:scale"];
  for (const ev of events) model.on(ev, redraw);
  draw();
  return () => { for (const ev of events) model.off(ev, redraw); };
}

export default { render };

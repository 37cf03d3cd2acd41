// A heat map cell's rollouts as compact cards (anywidget ES module), best first: reward, advantage,
// steps, and the last message drawn as the timeline draws an event (its look from the `looks` trait,
// the presentation table). Clicking a card sets `selected` to its rollout id.
// Safety rule: every string is set with textContent, except `md`: HTML made in the kernel by
// markdown-it with raw HTML off and an allow-list of link schemes (openreward_nb/viz/render.py).

const fmt = (v) => (Math.round(v * 1e4) / 1e4).toString();
const signed = (v) => (v > 0 ? `+${fmt(v)}` : fmt(v));

function lastMessage(ev, looks) {
  const look = looks[ev.t] || { label: ev.t, light: "#6e7781", dark: "#8b949e", icon: "•" };
  const box = el("div", `orw-card-last orw-t-${ev.t}`);
  box.style.setProperty("--orw-c", `light-dark(${look.light}, ${look.dark})`);
  box.append(el("div", "orw-card-kind", `${look.icon} ${look.label || ev.t}`));
  if (ev.b === "folded") {
    box.append(el("div", "orw-card-fold", ev.ti || ""));
  } else if (ev.md !== undefined) {
    const md = el("div", "orw-card-body orw-md");
    md.innerHTML = ev.md; // markdown-it output, raw HTML off (see the header comment)
    box.append(md);
  } else {
    box.append(el("pre", "orw-card-body", ev.text));
  }
  return box;
}

function render({ model, el: root }) {
  root.classList.add("orw-cards");

  function card(c, k) {
    const box = el("div", "orw-card");
    box.dataset.id = c.id;
    if (k === 0 && c.reward !== null) box.classList.add("orw-card-best");
    if (model.get("selected") === c.id) box.classList.add("orw-selected");
    const head = el("div", "orw-card-head");
    head.append(el("span", "orw-card-name", c.name), el("span", `orw-card-status orw-st-${c.status}`, c.status));
    const nums = el("div", "orw-card-nums");
    const reward = el("span", `orw-card-reward orw-${c.tone || "zero"}`, c.reward === null ? "no reward" : `reward ${fmt(c.reward)}`);
    nums.append(reward);
    if (c.adv !== null) {
      const adv = el("span", "orw-card-adv", `advantage ${signed(c.adv)}`);
      adv.title = c.advn === null ? "reward − group mean" : `reward − group mean; ${signed(c.advn)} in group standard deviations`;
      nums.append(adv);
    }
    const meta = [];
    if (c.step !== null) meta.push(`step ${c.step}`);
    meta.push(`${c.turns} ${c.turns === 1 ? "turn" : "turns"}`, `${c.tools} ${c.tools === 1 ? "tool call" : "tool calls"}`);
    box.append(head, nums, el("div", "orw-card-meta", meta.join(" · ")));
    if (c.labels && c.labels.length) { // the labels people gave the rollout, as the run table's chips
      const chips = el("div", "orw-chips orw-card-labels");
      for (const label of c.labels) chips.append(el("span", "orw-chip", label));
      box.append(chips);
    }
    if (c.last) box.append(lastMessage(c.last, model.get("looks") || {}));
    box.addEventListener("click", () => { model.set("selected", c.id); model.save_changes(); });
    return box;
  }

  function draw() {
    const cards = model.get("cards") || [];
    root.replaceChildren(...cards.map((c, k) => card(c, k)));
  }

  const redraw = () => draw();
  model.on("change:cards", redraw);
  model.on("change:selected", redraw);
  draw();
  return () => { model.off("change:cards", redraw); model.off("change:selected", redraw); };
}

export default { render };

// Draws the fleet report from the JSON in #fleet-data. Every value from a miner is data: it reaches the page only
// through textContent and setAttribute, never as markup.
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("fleet-data").textContent);
  var root = document.getElementById("report");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }
  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, String(attrs[name])); });
    return node;
  }
  function missing(value) { return value === null || value === undefined || value === ""; }
  function fixed(value, digits) {
    if (missing(value)) { return "\u2013"; }
    return Number(value).toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }
  function duration(seconds) {
    if (missing(seconds)) { return "\u2013"; }
    var d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60);
    return d > 0 ? d + "d " + h + "h" : h > 0 ? h + "h " + m + "m" : m + "m";
  }
  function plural(count, word) { return count + " " + word + (count === 1 ? "" : "s"); }
  function byName(a, b) { return String(a).localeCompare(String(b), "en", { numeric: true, sensitivity: "base" }); }
  function temperatureClass(value) { return missing(value) ? "" : value >= 95 ? "hot" : value >= 85 ? "warm" : "cool"; }

  var summary = data.summary;
  var miners = data.miners;
  var drift = data.drift;
  var hasLocation = miners.some(function (m) { return !missing(m.location); });

  // Header
  var header = el("header");
  header.appendChild(el("h1", {}, data.title));
  function moment(iso) { return iso ? String(iso).replace("T", " ").replace(/\.\d+/, "").replace(/Z$/, " UTC") : ""; }
  var when = data.generated ? "Generated " + moment(data.generated) : "";
  header.appendChild(el("p", { "class": "subtitle" },
    [when, plural(summary.miners, "miner"), plural(summary.models, "model")].filter(Boolean).join(" \u00b7 ")));
  root.appendChild(header);
  document.title = data.title + " \u2013 " + plural(summary.miners, "miner");

  // Tiles
  var tiles = el("section", { "class": "tiles", "aria-label": "Summary" });
  function tile(name, label, value, unit, note, tone) {
    var box = el("div", { "class": "tile" + (tone ? " " + tone : ""), "data-tile": name });
    box.appendChild(el("div", { "class": "label" }, label));
    var line = el("div", { "class": "figure" });
    line.appendChild(el("span", { "class": "value" }, value));
    if (unit) { line.appendChild(el("span", { "class": "unit" }, unit)); }
    box.appendChild(line);
    box.appendChild(el("div", { "class": "note" }, note || "\u00a0"));
    tiles.appendChild(box);
    return box;
  }
  tile("miners", "Miners", summary.miners, "", summary.read + " read \u00b7 " + summary.mining + " mining");
  tile("hashrate", "Hashrate", fixed(summary.hashrate_ths, 1), "TH/s", "sum of the miners read");
  tile("power", "Power", fixed(summary.power_kw, 2), "kW", "as the miners report it");
  tile("efficiency", "Efficiency", fixed(summary.efficiency_j_th, 1), "J/TH", "fleet power over fleet hashrate");
  tile("errors", "With errors", summary.with_errors, "",
    summary.errors_unknown ? summary.errors_unknown + " do not report errors" : "miners reporting error codes",
    summary.with_errors ? "warn" : "");
  tile("unreachable", "Unreachable", summary.unreachable, "", summary.unreachable ? "not in the figures" : "every miner answered",
    summary.unreachable ? "bad" : "");
  if (drift) {
    if (drift.error) {
      tile("drift", "Drift", "?", "", drift.file + ": " + drift.error, "warn");
    } else {
      var s = drift.summary;
      var parts = ["compliant", "unreachable", "failed", "curtailed"].filter(function (k) { return s[k]; })
        .map(function (k) { return s[k] + " " + k; });
      var box = tile("drift", "Drifted", missing(s.drifted) ? "?" : s.drifted, "", parts.join(" \u00b7 ") || "\u00a0",
        s.drifted ? "warn" : "");
      var top = (drift.top_drifts || []).slice(0, 3).map(function (t) { return t.setting + " (" + t.miners + ")"; });
      box.appendChild(el("div", { "class": "note" },
        (drift.check_mode ? "checked " : "applied ") + moment(drift.generated) + (top.length ? " \u00b7 most: " + top.join(", ") : "")));
    }
  }
  root.appendChild(tiles);

  // Charts: one card per model, a bar per miner for hashrate and for chip temperature
  var read = miners.filter(function (m) { return m.status === "ok"; });
  var models = {};
  read.forEach(function (m) { var k = m.model || "unknown model"; (models[k] = models[k] || []).push(m); });
  var charts = el("section", { "class": "charts", "aria-label": "Charts by model" });
  charts.appendChild(el("h2", {}, "By model"));
  var grid = el("div", { "class": "chart-grid" });
  // A bar per miner, at most 28 px wide, on a fixed scale so that charts of different models compare; marks are
  // dashed reference lines (the model's nominal hashrate, the chip temperature bands).
  function bars(group, metric, key, unit, digits, low, high, marks) {
    var width = 320, height = 80, gap = 4;
    var step = Math.min(32, width / group.length), barWidth = Math.max(1, step - gap);
    var left = (width - step * group.length) / 2;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + (height + 14), "class": "chart", "data-metric": metric,
      role: "img", "aria-label": metric + " per miner" });
    function y(value) { return height - Math.max(0, Math.min(1, (value - low) / (high - low))) * height; }
    chart.appendChild(svg("line", { x1: 0, y1: height, x2: width, y2: height, "class": "axis" }));
    marks.forEach(function (mark) {
      chart.appendChild(svg("line", { x1: 0, y1: y(mark.value), x2: width, y2: y(mark.value), "class": "mark" }));
      var text = svg("text", { x: width, y: y(mark.value) - 3, "class": "tick", "text-anchor": "end" });
      text.textContent = mark.label;
      chart.appendChild(text);
    });
    group.forEach(function (m, i) {
      var value = m[key];
      var top = missing(value) ? height : Math.min(height - 1, y(value));
      var tone = metric === "temperature" ? temperatureClass(value) : (m.mining === false ? "idle" : "");
      var rect = svg("rect", { x: left + i * step, y: top, width: barWidth, height: height - top, rx: 2,
        "class": "bar " + tone, "data-host": m.host });
      var title = svg("title");
      title.textContent = m.host + ": " + (missing(value) ? "not reported" : fixed(value, digits) + " " + unit);
      rect.appendChild(title);
      chart.appendChild(rect);
    });
    var values = group.map(function (m) { return m[key]; }).filter(function (v) { return !missing(v); });
    var label = svg("text", { x: 0, y: height + 12, "class": "tick" });
    label.textContent = values.length ? "min " + fixed(Math.min.apply(null, values), digits) + " \u00b7 max " +
      fixed(Math.max.apply(null, values), digits) + " " + unit : "not reported";
    chart.appendChild(label);
    return chart;
  }
  function median(values) {
    var sorted = values.filter(function (v) { return !missing(v); }).sort(function (a, b) { return a - b; });
    return sorted.length ? sorted[Math.floor(sorted.length / 2)] : null;
  }
  Object.keys(models).sort(function (a, b) { return models[b].length - models[a].length || byName(a, b); })
    .forEach(function (model) {
      var group = models[model];
      var card = el("div", { "class": "card", "data-model": model });
      var head = el("div", { "class": "card-head" });
      head.appendChild(el("h3", {}, model));
      var ths = group.reduce(function (sum, m) { return sum + (m.hashrate_ths || 0); }, 0);
      head.appendChild(el("span", { "class": "muted" }, plural(group.length, "miner") + " \u00b7 " + fixed(ths, 1) + " TH/s"));
      card.appendChild(head);
      card.appendChild(el("div", { "class": "chart-label" }, "Hashrate, TH/s"));
      var nominal = median(group.map(function (m) { return m.factory_hashrate_ths; }));
      var highest = Math.max.apply(null, group.map(function (m) { return m.hashrate_ths || 0; }).concat([nominal || 1]));
      card.appendChild(bars(group, "hashrate", "hashrate_ths", "TH/s", 1, 0, highest * 1.15,
        nominal ? [{ value: nominal, label: "nominal " + fixed(nominal, 0) }] : []));
      card.appendChild(el("div", { "class": "chart-label" }, "Hottest chip, \u00b0C"));
      card.appendChild(bars(group, "temperature", "chip_max_c", "\u00b0C", 1, 40, 105,
        [{ value: 85, label: "85" }, { value: 95, label: "95" }]));
      grid.appendChild(card);
    });
  if (!read.length) { grid.appendChild(el("p", { "class": "muted" }, "No miner could be read.")); }
  charts.appendChild(grid);
  root.appendChild(charts);

  // Table
  function state(m) { return m.status !== "ok" ? "unreachable" : m.mining === false ? "stopped" : "mining"; }
  function percentOfFactory(m) {
    return missing(m.hashrate_ths) || !m.factory_hashrate_ths ? null : m.hashrate_ths / m.factory_hashrate_ths * 100;
  }
  function errorsText(m) { return m.status !== "ok" ? "" : m.errors === null ? "not reported" : m.errors.join(", "); }
  function driftText(m) {
    if (!m.drift) { return "not checked"; }
    return m.drift.status + (m.drift.settings.length ? " (" + m.drift.settings.length + ")" : "") + (m.drift.curtailed ? ", curtailed" : "");
  }
  function driftTitle(m) {
    if (!m.drift) { return ""; }
    var lines = m.drift.settings.map(function (d) { return d.setting + ": git " + JSON.stringify(d.git) + ", miner " + JSON.stringify(d.miner); });
    if (m.drift.unverifiable.length) { lines.push("cannot be read back: " + m.drift.unverifiable.join(", ")); }
    if (m.drift.error) { lines.push(m.drift.error); }
    return lines.join("\n");
  }
  var columns = [
    { key: "host", label: "Miner", text: function (m) { return m.host; } },
    { key: "address", label: "Address", text: function (m) { return m.address; } },
    { key: "location", label: "Location", text: function (m) { return m.location; }, show: hasLocation },
    { key: "model", label: "Model", text: function (m) { return m.model; } },
    { key: "firmware", label: "Firmware", text: function (m) { return m.firmware; } },
    { key: "hostname", label: "Hostname", text: function (m) { return m.hostname; } },
    { key: "state", label: "State", text: state, value: state, title: function (m) { return m.error || ""; }, tone: function (m) { return state(m); } },
    { key: "hashrate_ths", label: "TH/s", num: 1 },
    { key: "factory", label: "% nom.", num: 0, value: percentOfFactory },
    { key: "power_w", label: "W", num: 0 },
    { key: "efficiency_j_th", label: "J/TH", num: 1 },
    { key: "chip_max_c", label: "Chip \u00b0C", num: 1, tone: function (m) { return temperatureClass(m.chip_max_c); } },
    { key: "power_mode", label: "Mode", text: function (m) { return m.power_mode; } },
    { key: "pool", label: "Pool", text: function (m) { return m.pool ? m.pool.replace(/^stratum\+tcp:\/\//, "") : m.pool; },
      value: function (m) { return m.pool; }, title: function (m) { return m.pool || ""; } },
    { key: "uptime_s", label: "Uptime", num: 0, format: function (m) { return duration(m.uptime_s); } },
    { key: "errors", label: "Errors", text: errorsText, value: function (m) { return m.status !== "ok" || m.errors === null ? null : m.errors.length; },
      numeric: true, tone: function (m) { return m.errors && m.errors.length ? "warn" : ""; } },
    { key: "drift", label: "Drift", text: driftText, value: function (m) { return m.drift ? m.drift.status : null; }, title: driftTitle,
      show: !!drift, tone: function (m) { return m.drift ? m.drift.status : ""; } }
  ].filter(function (c) { return c.show !== false; });
  columns.forEach(function (c) {
    c.numeric = c.numeric || c.num !== undefined;
    c.value = c.value || (c.num !== undefined ? function (m) { return m[c.key]; } : c.text);
  });

  var section = el("section", { "class": "miners", "aria-label": "Miners" });
  var bar = el("div", { "class": "toolbar" });
  bar.appendChild(el("h2", {}, "Miners"));
  var filter = el("input", { type: "search", id: "filter", placeholder: "Filter: name, address, model, pool, state\u2026",
    "aria-label": "Filter miners" });
  bar.appendChild(filter);
  var shown = el("span", { "class": "muted", id: "shown" });
  bar.appendChild(shown);
  section.appendChild(bar);
  var wrap = el("div", { "class": "table-wrap" });
  var table = el("table", { id: "miners" });
  var headRow = el("tr");
  columns.forEach(function (c, index) {
    var th = el("th", { scope: "col", "data-key": c.key, "class": c.numeric ? "num" : "" });
    var button = el("button", { type: "button" }, c.label);
    button.addEventListener("click", function () { sortBy(index); });
    th.appendChild(button);
    headRow.appendChild(th);
  });
  var thead = el("thead");
  thead.appendChild(headRow);
  table.appendChild(thead);
  var tbody = el("tbody");
  var rows = miners.map(function (m) {
    var tr = el("tr", { "data-host": m.host, "class": m.status === "ok" ? "" : "down" });
    var cells = columns.map(function (c) {
      var text = c.format ? c.format(m) : c.num !== undefined ? fixed(c.value(m), c.num) : (missing(c.text(m)) ? "\u2013" : c.text(m));
      var tone = c.tone ? c.tone(m) : "";
      var td = el("td", { "data-key": c.key, "class": (c.numeric ? "num " : "") + tone }, text);
      var title = c.title ? c.title(m) : "";
      if (title) { td.setAttribute("title", title); }
      tr.appendChild(td);
      return text;
    });
    tbody.appendChild(tr);
    return { node: tr, miner: m, search: cells.join(" ").toLowerCase() };
  });
  table.appendChild(tbody);
  wrap.appendChild(table);
  section.appendChild(wrap);
  root.appendChild(section);

  var sorted = { index: -1, ascending: true };
  function compare(column, a, b, ascending) {
    var x = column.value(a.miner), y = column.value(b.miner);
    if (missing(x) && missing(y)) { return byName(a.miner.host, b.miner.host); }
    if (missing(x)) { return 1; }  // a value that is not there goes last, whichever the direction
    if (missing(y)) { return -1; }
    var order = column.numeric ? x - y : byName(x, y);
    return (ascending ? order : -order) || byName(a.miner.host, b.miner.host);
  }
  function sortBy(index) {
    sorted.ascending = sorted.index === index ? !sorted.ascending : true;
    sorted.index = index;
    var column = columns[index];
    rows.sort(function (a, b) { return compare(column, a, b, sorted.ascending); });
    rows.forEach(function (r) { tbody.appendChild(r.node); });
    Array.prototype.forEach.call(headRow.children, function (th, i) {
      if (i === index) { th.setAttribute("aria-sort", sorted.ascending ? "ascending" : "descending"); }
      else { th.removeAttribute("aria-sort"); }
    });
  }
  function applyFilter() {
    var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var count = 0;
    rows.forEach(function (r) {
      var match = words.every(function (w) { return r.search.indexOf(w) >= 0; });
      r.node.hidden = !match;
      if (match) { count += 1; }
    });
    shown.textContent = count === rows.length ? plural(rows.length, "miner") : count + " of " + rows.length + " miners";
  }
  filter.addEventListener("input", applyFilter);
  applyFilter();
}());

// nk-troops site: filters and sorting for the claims table. The table is complete without this script.
(function () {
  "use strict";
  var table = document.getElementById("claims");
  var box = document.getElementById("filters");
  if (!table || !box) { return; }
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var selects = [];
  var headers = table.tHead.rows[0].cells;
  function values(key) {
    var seen = {};
    rows.forEach(function (r) {
      (key === "source" ? r.dataset.source.split(" ") : [r.dataset[key]]).forEach(function (v) { if (v) { seen[v] = true; } });
    });
    return Object.keys(seen).sort();
  }
  function apply() {
    var shown = 0;
    rows.forEach(function (r) {
      var ok = selects.every(function (s) {
        if (!s.value) { return true; }
        var have = s.dataset.key === "source" ? r.dataset.source.split(" ") : [r.dataset[s.dataset.key]];
        return have.indexOf(s.value) >= 0;
      });
      r.hidden = !ok;
      if (ok) { shown += 1; }
    });
    document.getElementById("shown").textContent = "(" + shown + " of " + rows.length + " shown)";
  }
  Array.prototype.forEach.call(headers, function (th) {
    var key = th.dataset.filter;
    if (key) {
      var label = document.createElement("label");
      label.textContent = "Filter by " + th.textContent;
      var select = document.createElement("select");
      select.dataset.key = key;
      var all = document.createElement("option");
      all.value = ""; all.textContent = "all";
      select.appendChild(all);
      values(key).forEach(function (v) {
        var o = document.createElement("option"); o.value = v; o.textContent = v; select.appendChild(o);
      });
      select.addEventListener("change", apply);
      label.appendChild(select);
      box.appendChild(label);
      selects.push(select);
    }
    if (th.dataset.sort) {
      var title = th.textContent;
      th.textContent = title + " ";
      th.dataset.sort.split(" ").forEach(function (bound) {
        var b = document.createElement("button");
        b.type = "button";
        b.textContent = bound === "start" ? "earliest ↑" : "latest ↑";
        b.title = "Sort by the " + (bound === "start" ? "earliest" : "latest") + " possible day (undated last); click again to reverse";
        b.addEventListener("click", function () {
          var dir = b.dataset.dir === "asc" ? -1 : 1;
          b.dataset.dir = dir === 1 ? "asc" : "desc";
          b.textContent = (bound === "start" ? "earliest " : "latest ") + (dir === 1 ? "↑" : "↓");
          rows.slice().sort(function (x, y) {
            var a = x.dataset[bound], c = y.dataset[bound];
            if (!a || !c) { return (a ? 0 : 1) - (c ? 0 : 1); }
            return a < c ? -dir : a > c ? dir : 0;
          }).forEach(function (r) { body.appendChild(r); });
        });
        th.appendChild(b);
        th.appendChild(document.createTextNode(" "));
      });
    }
  });
  var reset = document.createElement("button");
  reset.type = "button";
  reset.textContent = "Show all";
  reset.addEventListener("click", function () { selects.forEach(function (s) { s.value = ""; }); apply(); });
  box.appendChild(reset);
  apply();
}());

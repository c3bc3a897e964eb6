// The linked figure (course_lib.pages.linked): hover, tap or arrow keys on the plotly figure fill the
// panel with the digits of the chosen point. ROOT, PLOT and DATA are replaced by the page's ids and
// data (16 grey levels, two pixels per byte, base64).
(function () {
  var D = DATA, root = document.getElementById("ROOT"), panel = root.querySelector(".course-linked-panel");
  var box = root.querySelector(".course-linked-fig"), h = D.shape[0], w = D.shape[1], current = -1;
  function pixels(b64) {
    var raw = atob(b64), out = new Uint8ClampedArray(h * w * 4);
    for (var p = 0; p < h * w; p++) {
      var byte = raw.charCodeAt(p >> 1), level = (p & 1) ? (byte & 15) : (byte >> 4);
      var grey = 255 - Math.round(level * 17);
      out[4 * p] = out[4 * p + 1] = out[4 * p + 2] = grey; out[4 * p + 3] = 255;
    }
    return out;
  }
  function show(key) {
    var pt = D.points[key];
    if (!pt) return false;
    current = D.order.indexOf(key);
    panel.innerHTML = "";
    var head = document.createElement("p"); head.className = "course-linked-title";
    head.textContent = pt.t; panel.appendChild(head);
    if (!pt.i.length) { var none = document.createElement("p"); none.textContent = "No digits here.";
      panel.appendChild(none); }
    pt.i.forEach(function (id, n) {
      var fig = document.createElement("figure"), c = document.createElement("canvas");
      c.width = w; c.height = h; c.style.width = D.size + "px"; c.style.height = Math.round(D.size * h / w) + "px";
      c.setAttribute("role", "img"); c.setAttribute("aria-label", pt.c[n] || "digit image");
      c.getContext("2d").putImageData(new ImageData(pixels(D.images[id]), w, h), 0, 0);
      fig.appendChild(c);
      if (pt.c[n]) { var cap = document.createElement("figcaption"); cap.textContent = pt.c[n]; fig.appendChild(cap); }
      panel.appendChild(fig);
    });
    return true;
  }
  function keyOf(pt) {
    var n = pt.pointNumber;
    return Array.isArray(n) ? pt.curveNumber + "," + n[0] + "," + n[1] : pt.curveNumber + "," + n;
  }
  function attach() {
    var gd = document.getElementById("PLOT");
    if (!gd || !gd.on || !gd._fullData) { setTimeout(attach, 50); return; }
    // the figure follows its box (the panel beside it takes part of the column)
    if (window.ResizeObserver) { new ResizeObserver(function () { Plotly.Plots.resize(gd); }).observe(box); }
    else { Plotly.Plots.resize(gd); }
    var pick = function (ev) { if (ev && ev.points && ev.points.length) show(keyOf(ev.points[0])); };
    gd.on("plotly_hover", pick); gd.on("plotly_click", pick);
    box.addEventListener("keydown", function (e) {
      var steps = {ArrowRight: 1, ArrowLeft: -1, ArrowDown: D.cols, ArrowUp: -D.cols};
      var n = D.order.length, i;
      if (e.key in steps) { i = current < 0 ? 0 : Math.max(0, Math.min(n - 1, current + steps[e.key])); }
      else if (e.key === "Home") { i = 0; } else if (e.key === "End") { i = n - 1; } else { return; }
      e.preventDefault(); var key = D.order[i]; show(key);
      var parts = key.split(",").map(Number);
      try { Plotly.Fx.hover(gd, [{curveNumber: parts[0],
              pointNumber: parts.length === 3 ? [parts[1], parts[2]] : parts[1]}]); } catch (err) {}
    });
  }
  attach();
})();

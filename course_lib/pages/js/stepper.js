// Keyboard access to a static twin (course_lib.core.publish.figure_html): previous/next buttons
// beside its slider, the arrow keys on the focused figure, and a live region that says which state is
// shown. STEP is replaced by the figure's id; every step of the slider is a Plotly.update call.
  function step(delta) {
    var gd = document.getElementById("STEP"), s = gd.layout.sliders[0], n = s.steps.length;
    var i = Math.max(0, Math.min(n - 1, (s.active || 0) + delta)), st = s.steps[i];
    var layout = Object.assign({}, st.args[1] || {}, {"sliders[0].active": i});
    Plotly.update(gd, st.args[0], layout);
  }
  function announce() {
    var gd = document.getElementById("STEP"), s = gd.layout.sliders[0], i = s.active || 0;
    document.getElementById("STEP-state").textContent =
      "State " + (i + 1) + " of " + s.steps.length + ": " + (s.currentvalue && s.currentvalue.prefix || "") + s.steps[i].label;
  }
  document.getElementById("STEP-prev").onclick = function () { step(-1); };
  document.getElementById("STEP-next").onclick = function () { step(1); };
  var gd = document.getElementById("STEP");
  gd.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { step(e.key === "ArrowLeft" ? -1 : 1); e.preventDefault(); }
  });
  gd.on("plotly_update", announce); gd.on("plotly_sliderchange", announce); announce();

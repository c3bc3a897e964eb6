// Keyboard access to a static twin (course_lib.core.publish.figure_html): previous/next buttons
// beside its slider, a play button that steps through every state (once, 0.9 s a state), the arrow
// keys on the focused figure, and a live region that says which state is shown. STEP is replaced by
// the figure's id; every step of the slider is a Plotly.update call.
  var gd = document.getElementById("STEP"), play = document.getElementById("STEP-play"), timer = null;
  function step(delta) {
    var s = gd.layout.sliders[0], n = s.steps.length;
    var i = Math.max(0, Math.min(n - 1, (s.active || 0) + delta)), st = s.steps[i];
    var layout = Object.assign({}, st.args[1] || {}, {"sliders[0].active": i});
    return Plotly.update(gd, st.args[0], layout);
  }
  function announce() {
    var s = gd.layout.sliders[0], i = s.active || 0;
    document.getElementById("STEP-state").textContent =
      "State " + (i + 1) + " of " + s.steps.length + ": " + (s.currentvalue && s.currentvalue.prefix || "") + s.steps[i].label;
  }
  function stop() {
    clearInterval(timer); timer = null;
    play.textContent = "\u25B6 Play"; play.setAttribute("aria-pressed", "false");
  }
  function atEnd() { var s = gd.layout.sliders[0]; return (s.active || 0) >= s.steps.length - 1; }
  play.onclick = function () {
    if (timer) { stop(); return; }
    if (atEnd()) step(-gd.layout.sliders[0].steps.length);        // played to the end: start again
    play.textContent = "\u275A\u275A Pause"; play.setAttribute("aria-pressed", "true");
    timer = setInterval(function () { if (atEnd()) { stop(); } else { step(1); } }, 900);
  };
  document.getElementById("STEP-prev").onclick = function () { stop(); step(-1); };
  document.getElementById("STEP-next").onclick = function () { stop(); step(1); };
  gd.addEventListener("keydown", function (e) {
    if (e.key === "ArrowLeft" || e.key === "ArrowRight") { stop(); step(e.key === "ArrowLeft" ? -1 : 1); e.preventDefault(); }
  });
  gd.on("plotly_update", announce); gd.on("plotly_sliderchange", announce); announce();

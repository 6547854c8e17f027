// Carekeep's little script: the automatic-logoff warning (164.312(a)(2)(iii)).
// The server ends idle sessions on its own; this only warns a minute before and offers to stay.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-idle-seconds") || "0", 10);
  var csrf = body.getAttribute("data-csrf") || "";
  var box = document.getElementById("idle-warning");
  if (!idle || !box) { return; }
  var countdown = document.getElementById("idle-countdown");
  var stay = document.getElementById("idle-stay");
  var WARN = 60;
  var deadline = Date.now() + idle * 1000;
  var timer = null;

  function ended() { window.location.assign("/login?ended=1"); }

  function tick() {
    var left = Math.round((deadline - Date.now()) / 1000);
    if (left <= 0) {
      // Ask the server: another tab may have kept the session alive.
      fetch("/session/status", { credentials: "same-origin" }).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (s) {
        if (s && s.seconds_left > 0) { deadline = Date.now() + s.seconds_left * 1000; box.hidden = true; }
        else { ended(); }
      }).catch(ended);
      return;
    }
    if (left <= WARN) {
      if (box.hidden) { box.hidden = false; stay.focus(); }
      countdown.textContent = String(left);
    } else {
      box.hidden = true;
    }
  }

  stay.addEventListener("click", function () {
    fetch("/session/keepalive", {
      method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
    }).then(function (r) {
      if (!r.ok) { ended(); return; }
      return r.json().then(function (s) { deadline = Date.now() + s.seconds_left * 1000; box.hidden = true; });
    }).catch(ended);
  });

  timer = window.setInterval(tick, 1000);
  tick();
})();

// Carekeep's little script: the automatic-logoff warning (164.312(a)(2)(iii)).
// The server ends idle sessions on its own; this only warns a minute before and offers to stay.
// On a phone the main menu starts folded (it stays open without the script).
(function () {
  "use strict";
  var menu = document.querySelector("details.nav-menu");
  if (!menu || !window.matchMedia) { return; }
  var phone = window.matchMedia("(max-width: 640px)");
  menu.open = !phone.matches;
  phone.addEventListener("change", function (e) { menu.open = !e.matches; });
})();

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

// Patient search that answers as the front desk types, and "/" to reach it from any page.
(function () {
  "use strict";
  var box = document.getElementById("patient-search");
  document.addEventListener("keydown", function (e) {
    if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable)) { return; }
    if (box) { e.preventDefault(); box.focus(); box.select(); }
    else if (document.body.getAttribute("data-idle-seconds")) { e.preventDefault(); window.location.assign("/patients"); }
  });
  if (!box || !box.getAttribute("data-live")) { return; }
  var results = document.getElementById("search-results");
  // The list under the box (with its pager) comes back when the box is emptied; while results
  // of a search show, the list's pager, which is not theirs, is hidden.
  var pager = document.getElementById("patient-pager");
  var listing = results.innerHTML;
  var timer = null;
  var latest = 0;
  box.addEventListener("input", function () {
    window.clearTimeout(timer);
    var q = box.value.trim();
    if (q.length === 0) { latest++; results.innerHTML = listing; if (pager) { pager.hidden = false; } return; }
    if (q.length < 2) { return; }
    timer = window.setTimeout(function () {
      var mine = ++latest;
      // The term goes in a POST body, never in an address (browser history, proxies' logs).
      var body = new URLSearchParams();
      body.set("csrf", document.body.getAttribute("data-csrf") || "");
      body.set("q", q);
      fetch(box.getAttribute("data-live"), { method: "POST", credentials: "same-origin", body: body })
        .then(function (r) {
          if (r.status === 401 || r.redirected) { window.location.assign("/login?ended=1"); return null; }
          return r.text();
        })
        .then(function (html) {
          if (html !== null && mine === latest) { results.innerHTML = html; if (pager) { pager.hidden = true; } }
        })
        .catch(function () {});
    }, 250);
  });
  // Arrow keys: down from the box into the results, up and down among them, up from the first
  // (or Escape) back to the box; Enter follows the link as usual.
  function links() { return Array.prototype.slice.call(results.querySelectorAll("a.result")); }
  box.addEventListener("keydown", function (e) {
    if (e.key !== "ArrowDown") { return; }
    var all = links();
    if (all.length) { e.preventDefault(); all[0].focus(); }
  });
  results.addEventListener("keydown", function (e) {
    var all = links();
    var at = all.indexOf(document.activeElement);
    if (at < 0) { return; }
    if (e.key === "ArrowDown" && at + 1 < all.length) { e.preventDefault(); all[at + 1].focus(); }
    else if (e.key === "ArrowUp") { e.preventDefault(); if (at > 0) { all[at - 1].focus(); } else { box.focus(); } }
    else if (e.key === "Escape") { e.preventDefault(); box.focus(); }
  });
})();

// The patient picker: wherever a patient is chosen, typing a name, date of birth, phone or
// record number offers the matching patients (the patient list's search, audited the same
// way). The term goes in a POST body, never in an address; choosing fills the hidden id.
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";
  Array.prototype.forEach.call(document.querySelectorAll(".picker[data-pick]"), function (picker) {
    var box = picker.querySelector("input[type=search]");
    var id = picker.querySelector("input[type=hidden]");
    var results = picker.querySelector(".pick-results");
    var chosen = picker.querySelector("[aria-live]");
    var timer = null;
    var latest = 0;
    box.addEventListener("input", function () {
      window.clearTimeout(timer);
      id.value = "";
      chosen.textContent = "";
      var q = box.value.trim();
      if (q.length < 2) { results.innerHTML = ""; return; }
      timer = window.setTimeout(function () {
        var mine = ++latest;
        var body = new URLSearchParams();
        body.set("csrf", csrf);
        body.set("q", q);
        fetch(picker.getAttribute("data-pick"), { method: "POST", credentials: "same-origin", body: body })
          .then(function (r) {
            if (r.status === 401 || r.redirected) { window.location.assign("/login?ended=1"); return null; }
            return r.text();
          })
          .then(function (html) { if (html !== null && mine === latest) { results.innerHTML = html; } })
          .catch(function () {});
      }, 250);
    });
    results.addEventListener("click", function (e) {
      var b = e.target.closest ? e.target.closest("button.pick") : null;
      if (!b) { return; }
      id.value = b.getAttribute("data-id");
      box.value = b.getAttribute("data-label");
      chosen.textContent = "Chosen: " + b.getAttribute("data-label");
      results.innerHTML = "";
      box.focus();
    });
  });
})();

// Forms (issue 28): a question shown only after a given answer hides until then (without the
// script every question shows, with words saying when to answer it); the signature pad turns
// strokes into path data in a hidden field (the typed name stays the fallback).
(function () {
  "use strict";
  var conds = document.querySelectorAll("[data-show-if]");
  if (!conds.length) { return; }
  function value(name) {
    var inputs = document.querySelectorAll("input[name='" + name + "']");
    var out = [];
    for (var i = 0; i < inputs.length; i++) { if (inputs[i].checked) { out.push(inputs[i].value); } }
    return out;
  }
  function update() {
    for (var i = 0; i < conds.length; i++) {
      var el = conds[i];
      el.hidden = value(el.getAttribute("data-show-if")).indexOf(el.getAttribute("data-equals")) < 0;
    }
  }
  document.addEventListener("change", update);
  update();
})();

// Forms saved part by part (issue 28): typing not yet saved is lost to a link followed or a
// tab closed, so leaving then asks first; sending the form itself never asks. Without the
// script nothing changes.
(function () {
  "use strict";
  var forms = document.querySelectorAll("form[data-unsaved-warning]");
  if (!forms.length) { return; }
  var dirty = false;
  function typed() { dirty = true; }
  function clean() { dirty = false; }
  for (var i = 0; i < forms.length; i++) {
    forms[i].addEventListener("input", typed);
    forms[i].addEventListener("change", typed);
    forms[i].addEventListener("submit", clean);
  }
  document.addEventListener("carekeep:leave", clean);
  window.addEventListener("beforeunload", function (e) {
    if (!dirty) { return; }
    e.preventDefault();
    // Older browsers ask only when a value is returned; the words are the browser's own.
    e.returnValue = "";
    return "";
  });
})();

(function () {
  "use strict";
  var pad = document.getElementById("sig-pad");
  var wrap = document.getElementById("sig-wrap");
  var field = document.getElementById("sig-drawn");
  var path = document.getElementById("sig-path");
  if (!pad || !wrap || !field || !path || !pad.createSVGPoint) { return; }
  wrap.hidden = false;
  var label = document.getElementById("typed-label");
  if (label) { label.textContent = "Or type your full name instead"; }
  // A refused form comes back with the drawing sent, so it is not lost.
  var d = field.value || "";
  var drawing = false;
  function point(e) {
    var p = pad.createSVGPoint();
    p.x = e.clientX; p.y = e.clientY;
    var m = pad.getScreenCTM();
    if (!m) { return null; }
    var q = p.matrixTransform(m.inverse());
    return [Math.max(0, Math.min(600, Math.round(q.x))), Math.max(0, Math.min(600, Math.round(q.y)))];
  }
  // A stroke is typing too, for the warning before leaving with unsaved changes.
  function show() { path.setAttribute("d", d); field.value = d; field.dispatchEvent(new Event("input", { bubbles: true })); }
  pad.addEventListener("pointerdown", function (e) {
    var q = point(e); if (!q) { return; }
    drawing = true;
    if (pad.setPointerCapture) { pad.setPointerCapture(e.pointerId); }
    d += (d ? " " : "") + "M " + q[0] + " " + q[1];
    show();
    e.preventDefault();
  });
  pad.addEventListener("pointermove", function (e) {
    if (!drawing) { return; }
    var q = point(e); if (!q) { return; }
    d += " L " + q[0] + " " + q[1];
    show();
    e.preventDefault();
  });
  function stop() { drawing = false; }
  pad.addEventListener("pointerup", stop);
  pad.addEventListener("pointercancel", stop);
  var clear = document.getElementById("sig-clear");
  if (clear) { clear.addEventListener("click", function () { d = ""; show(); }); }
})();

// The clinic tablet (kiosk mode): while the patient touches or types, the server is told at
// most once a minute, so a long answer is not lost to the idle end; after the idle time with
// no touch the page returns to the code screen, so the next person sees nothing of this one.
(function () {
  "use strict";
  var body = document.body;
  var idle = parseInt(body.getAttribute("data-kiosk-idle") || "0", 10);
  if (!idle) { return; }
  var csrf = body.getAttribute("data-csrf") || "";
  var last = Date.now();
  var told = Date.now();
  function touched() {
    last = Date.now();
    if (last - told > 60000) {
      told = last;
      fetch("/kiosk/still-here", {
        method: "POST", credentials: "same-origin", headers: { "X-CSRF-Token": csrf }
      }).catch(function () {});
    }
  }
  ["keydown", "input", "pointerdown", "scroll"].forEach(function (e) {
    window.addEventListener(e, touched, { passive: true });
  });
  window.setInterval(function () {
    if (Date.now() - last >= idle * 1000) {
      // The next person must not find this patient's page held open by "leave the page?".
      document.dispatchEvent(new Event("carekeep:leave"));
      window.location.assign("/kiosk?ended=1");
    }
  }, 5000);
})();

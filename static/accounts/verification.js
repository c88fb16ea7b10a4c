/* The waiting page, when scripts run: count down to "Send a new code" and refresh where the code is.
   Everything here is also done without a script: the page says the wait in words and "Check again" reloads.
   Reads only the page's own status address (same origin, the session cookie): the ticket never reaches it. */
(function () {
  "use strict";
  var box = document.querySelector("[data-verification-status]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-verification-status");
  var countdown = document.querySelector("[data-countdown]");
  var seconds = countdown ? parseInt(countdown.getAttribute("data-countdown"), 10) || 0 : 0;
  var buttons = document.querySelectorAll("[data-resend]");
  var polls = 0;
  var MAX_POLLS = 120; /* ten minutes at one look every five seconds */

  function setText(selector, value) {
    var node = document.querySelector(selector);
    if (node && typeof value === "string" && node.textContent !== value) { node.textContent = value; }
  }

  function allowResend() {
    for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = false; }
    if (countdown) { countdown.hidden = true; }
  }

  function tick() {
    if (seconds <= 0) { return; }
    seconds -= 1;
    if (seconds <= 0) { allowResend(); }
  }

  function refresh() {
    polls += 1;
    if (polls > MAX_POLLS) { window.clearInterval(poller); return; }
    window.fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) { window.clearInterval(poller); return; }
        if (state.delivery) {
          setText("[data-delivery-label]", state.delivery.label);
          setText("[data-delivery-advice]", state.delivery.advice);
        }
        seconds = state.resend_in;
        if (seconds <= 0) { allowResend(); } else { setText("[data-resend-words]", state.resend_words); }
        if (state.is_verified || (state.delivery && state.delivery.code === "delivered" && seconds <= 0)) {
          window.clearInterval(poller);
        }
      })
      .catch(function () { /* offline for a moment: the next look will tell */ });
  }

  window.setInterval(tick, 1000);
  var poller = window.setInterval(refresh, 5000);
}());

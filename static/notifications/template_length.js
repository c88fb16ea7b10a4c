// SMS length under each text of a message template, updated while the editor types.
// The server renders the same figures (bawaba/notifications/forms.py), so without this file the page
// still shows them as of the last save or submit. The counting rules come from data attributes on
// #sms-rules, written by the server, so the two never disagree about what a part holds.
// The admin loads this in <head>, before the form exists: start once the document is read.
(function () {
  "use strict";
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var rules = document.getElementById("sms-rules");
    if (!rules) {
      return;
    }
    var assumed = JSON.parse(rules.getAttribute("data-assumed") || "{}");
    // Channels whose text is counted like an SMS (the server lists them: sms, whatsapp).
    var counted = JSON.parse(rules.getAttribute("data-channels") || '["sms"]');
    var defaultLength = parseInt(rules.getAttribute("data-default-length"), 10) || 20;
    var warnAbove = parseInt(rules.getAttribute("data-parts-warning-above"), 10) || 2;
    var gsmBasic = new Set(JSON.parse(rules.getAttribute("data-gsm-basic") || '""'));
    var gsmExtension = new Set(JSON.parse(rules.getAttribute("data-gsm-extension") || '""'));
    var placeholder = /\(\(\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)\)/g;

    function withAssumedValues(text) {
      return text.replace(placeholder, function (match, name) {
        var length = Object.prototype.hasOwnProperty.call(assumed, name) ? assumed[name] : defaultLength;
        return "0".repeat(length);
      });
    }

    // Mirrors bawaba/notifications/sms.py: GSM-7 when every character fits, UCS-2 otherwise.
    function smsLength(text) {
      var characters = Array.from(text);
      var gsm = characters.every(function (ch) { return gsmBasic.has(ch) || gsmExtension.has(ch); });
      var units = 0;
      characters.forEach(function (ch) {
        if (gsm) {
          units += gsmExtension.has(ch) ? 2 : 1;
        } else {
          units += ch.codePointAt(0) > 0xffff ? 2 : 1;
        }
      });
      var single = gsm ? 160 : 70;
      var multi = gsm ? 153 : 67;
      var parts = units <= single ? (units ? 1 : 0) : Math.ceil(units / multi);
      var perPart = units <= single ? single : multi;
      return { encoding: gsm ? "GSM-7" : "UCS-2", units: units, parts: parts, remaining: parts * perPart - units };
    }

    function update(textarea) {
      var figures = document.querySelector('[data-sms-for="' + textarea.id + '"]');
      if (!figures) {
        return;
      }
      var length = smsLength(withAssumedValues(textarea.value.replace(/\r\n/g, "\n")));
      ["encoding", "units", "parts", "remaining"].forEach(function (name) {
        var cell = figures.querySelector('[data-figure="' + name + '"]');
        if (cell) {
          cell.textContent = String(length[name]);
        }
      });
      var warning = figures.querySelector('[data-figure="warning"]');
      if (warning) {
        warning.hidden = length.parts <= warnAbove;
      }
    }

    function showForChannel() {
      var channel = document.getElementById("id_channel");
      if (!channel) {
        return;  // a built-in template: the channel is fixed, the server decided
      }
      var isSms = channel.value === "" || counted.indexOf(channel.value) !== -1;
      document.querySelectorAll("[data-sms-for]").forEach(function (figures) {
        figures.hidden = !isSms;
      });
    }

    var boxes = document.querySelectorAll('textarea[data-sms-length]');
    boxes.forEach(function (textarea) {
      textarea.addEventListener("input", function () { update(textarea); });
      update(textarea);
    });
    var channel = document.getElementById("id_channel");
    if (channel) {
      channel.addEventListener("change", showForChannel);
    }
  }
})();

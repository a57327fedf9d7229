/* UnionBridge console: progressive enhancement, no dependencies, ES5 so that
 * old phone browsers run it.  Every page works without it.
 *
 * - A campaign board ([data-board]) refreshes its figures every 5 seconds.
 * - The tally page (section.tally) sends each tap as a small JSON request
 *   with its own id, kept in localStorage until the server has it: a tap is
 *   never lost on a flaky connection or a reload, and never counted twice
 *   (the server ignores an id it has seen). */
(function () {
  "use strict";

  function send(method, url, body, csrf, done) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    x.setRequestHeader("Accept", "application/json");
    if (body !== null) x.setRequestHeader("Content-Type", "application/json");
    if (csrf) x.setRequestHeader("X-CSRF-Token", csrf);
    x.timeout = 15000;
    x.onreadystatechange = function () {
      if (x.readyState !== 4) return;
      var data = null;
      try { data = JSON.parse(x.responseText); } catch (e) { data = null; }
      done(x.status, data);
    };
    x.send(body === null ? null : JSON.stringify(body));
  }

  function get(obj, path) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length && obj; i++) obj = obj[parts[i]];
    return obj;
  }

  /* ---- The live board ---------------------------------------------------- */

  var STATUS = { planned: "计划中", held: "已举办", cancelled: "已取消" };

  function board(root) {
    var url = root.getAttribute("data-board");
    var count = +root.getAttribute("data-events");
    function fill(selector, source) {
      var cells = document.querySelectorAll(selector);
      for (var i = 0; i < cells.length; i++) {
        var c = cells[i], src = source(c);
        if (!src) continue;
        var f = c.getAttribute("data-f"), v = get(src, f);
        if (v === undefined) continue;
        var text = f === "status" ? STATUS[v] || v : String(v);
        if (c.textContent !== text) {
          c.textContent = text;
          c.className = f === "status" ? "tag " + v : c.className.replace(/ changed/, "") + " changed";
        }
      }
    }
    function refresh() {
      send("GET", url, null, null, function (status, b) {
        if (status === 200 && b) {
          if (b.events.length !== count) { location.reload(); return; }
          var ev = {}, org = {};
          for (var i = 0; i < b.events.length; i++) ev[b.events[i].id] = b.events[i];
          for (i = 0; i < b.by_org.length; i++) org[b.by_org[i].org] = b.by_org[i];
          fill("[data-t]", function () { return b.totals; });
          fill("[data-e]", function (c) { return ev[c.getAttribute("data-e")]; });
          fill("[data-o]", function (c) { return org[c.getAttribute("data-o")]; });
          var u = root.querySelector("[data-updated]");
          if (u) u.textContent = new Date().toLocaleTimeString("zh-CN") + " 更新";
        }
        setTimeout(refresh, 5000);
      });
    }
    setTimeout(refresh, 5000);
  }

  /* ---- The tally page ------------------------------------------------------ */

  function tapId() {
    var a = new Uint8Array(16), s = "";
    (window.crypto || window.msCrypto).getRandomValues(a);
    for (var i = 0; i < a.length; i++) s += (a[i] + 256).toString(16).slice(1);
    return s;
  }

  function tally(root) {
    var id = root.getAttribute("data-event"), csrf = root.getAttribute("data-csrf");
    var key = "ub-taps-" + id, url = "/api/v1/events/" + id + "/tallies";
    var forms = root.querySelectorAll("form.counter");
    var base = {}, outs = {}, queue = [], busy = false, wait = 1000, lastButton = null;

    function counterKey(kind, label) { return kind + "\u0000" + label; }
    function load() { try { queue = JSON.parse(localStorage.getItem(key)) || []; } catch (e) { queue = []; } }
    function save() { try { localStorage.setItem(key, JSON.stringify(queue)); } catch (e) { /* private mode */ } }

    function show() {
      var pending = {};
      for (var i = 0; i < queue.length; i++) {
        var k = counterKey(queue[i].kind, queue[i].label);
        pending[k] = (pending[k] || 0) + queue[i].delta;
      }
      for (var c in outs) outs[c].textContent = String((base[c] || 0) + (pending[c] || 0));
      var p = root.querySelector("[data-pending]");
      if (p) {
        p.hidden = queue.length === 0;
        p.textContent = "待同步 " + queue.length;
      }
    }

    function fromServer(f) {
      for (var c in outs) {
        var parts = c.split("\u0000"), kind = parts[0], label = parts[1];
        base[c] = kind === "material" ? (f.materials.by_title[label] || 0)
          : kind === "question" ? (f.questions.by_topic[label] || 0)
          : kind === "cards" ? f.cards_issued : f.people;
      }
    }

    function body(t) {
      var b = { tap_id: t.id }, m = {};
      if (t.kind === "material") { m[t.label] = t.delta; b.materials = m; }
      else if (t.kind === "question") { m[t.label] = t.delta; b.questions = m; }
      else if (t.kind === "cards") b.cards_issued = t.delta;
      else b.people = t.delta;
      return b;
    }

    function flush() {
      if (busy || queue.length === 0) return;
      busy = true;
      var t = queue[0];
      send("POST", url, body(t), csrf, function (status, data) {
        busy = false;
        if (status === 200 && data) {
          queue.shift();
          answered++;
          fromServer(data);
          wait = 1000;
        } else if (status >= 400 && status < 500 && status !== 408 && status !== 429) {
          queue.shift();          /* refused for good: below zero, cancelled, … */
          if (data && data.error) alert(data.error.message);
        } else {
          save();
          show();
          setTimeout(flush, wait);
          wait = Math.min(wait * 2, 30000);
          return;
        }
        save();
        show();
        flush();
      });
    }

    for (var i = 0; i < forms.length; i++) {
      var f = forms[i];
      var c = counterKey(f.elements.kind.value, f.elements.label.value);
      outs[c] = f.querySelector("[data-count]");
      base[c] = +outs[c].textContent;
      f.addEventListener("click", function (e) {
        if (e.target && e.target.name === "delta") lastButton = e.target;
      });
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        var button = e.submitter || lastButton;
        if (!button) return;
        queue.push({ id: tapId(), kind: this.elements.kind.value, label: this.elements.label.value,
                     delta: +button.value });
        save();
        show();
        flush();
      });
    }
    /* The page's figures were rendered when it was fetched; a tap the
     * previous page sent just before a reload may have been answered (and
     * taken from the queue) after that.  With nothing queued, ask the
     * server for the figures as they now are. */
    var answered = 0;
    function refresh() {
      if (queue.length) return;
      var seen = answered;
      send("GET", "/api/v1/events/" + id, null, null, function (status, data) {
        if (status === 200 && data && queue.length === 0 && seen === answered) {
          fromServer(data);
          show();
        }
      });
    }

    load();
    show();
    flush();
    refresh();
    window.addEventListener("online", flush);
  }

  var b = document.querySelector("[data-board]");
  if (b) board(b);
  var t = document.querySelector("section.tally");
  if (t) tally(t);
})();

// jixiao workbench: the only script (CSP script-src 'self'). It never writes HTML: textContent only.
(function () {
  "use strict";
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var reviewer = document.getElementById("reviewer");
  try { if (reviewer) reviewer.value = localStorage.getItem("jixiao.reviewer") || ""; } catch (e) {}
  if (reviewer) reviewer.addEventListener("change", function () {
    try { localStorage.setItem("jixiao.reviewer", reviewer.value); } catch (e) {}
  });

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) throw new Error(data.error || ("HTTP " + r.status));
        return data;
      });
    });
  }

  var LABEL = {accepted: "已采纳", dismissed: "已驳回", "": "未决定"};
  function show(id, decision) {
    document.querySelectorAll('.decide[data-id="' + CSS.escape(id) + '"]').forEach(function (box) {
      var s = box.querySelector(".decision");
      s.dataset.decision = decision || "";
      s.textContent = LABEL[decision || ""];
      var art = box.closest("article.finding");
      if (art) art.dataset.decision = decision || "";
    });
  }

  document.addEventListener("click", function (ev) {
    var btn = ev.target.closest(".decide button");
    if (!btn) return;
    var box = btn.closest(".decide");
    var id = box.dataset.id, decision = btn.dataset.decision;
    var note = box.querySelector(".note").value;
    btn.disabled = true;
    post("/api/decisions", {id: id, decision: decision, note: note, reviewer: reviewer ? reviewer.value : ""})
      .then(function () {
        show(id, decision);
        var group = box.closest(".group");
        if (group) {  // a group's decision reaches its members that have none of their own
          (group.dataset.members || "").split(" ").forEach(function (m) {
            var a = m && document.getElementById("f-" + m);
            if (a && !a.dataset.decision) show(m, decision);
          });
        }
      })
      .catch(function (e) { alert("保存失败：" + e.message); })
      .then(function () { btn.disabled = false; });
  });

  var rerun = document.getElementById("rerun");
  if (rerun) rerun.addEventListener("click", function () {
    rerun.disabled = true;
    post("/api/review", {}).then(function () { rerun.textContent = "已开始，稍后刷新"; })
      .catch(function (e) { alert(e.message); rerun.disabled = false; });
  });
})();

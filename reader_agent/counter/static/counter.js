// The counter screen: polls /api/state and posts the clerk's actions as JSON.
// It stores nothing (no localStorage, no cookies); the face arrives as a data: URL.
"use strict";

const $ = (id) => document.getElementById(id);
let current = null;

async function call(path, body) {
  const options = body === undefined ? {} : {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
    cache: "no-store",
  };
  const answer = await fetch(path, options);
  const data = await answer.json();
  if (!answer.ok) {
    $("message").textContent = data.message || "Lỗi";
    if (data.state) render(data.state);
    return null;
  }
  if (body !== undefined) $("message").textContent = "";
  render(data);
  return data;
}

function fill(select, items, chosen) {
  const value = select.value || chosen || "";
  select.replaceChildren(...items.map((item) => {
    const option = document.createElement("option");
    option.value = item.value;
    option.textContent = item.label;
    return option;
  }));
  if (value) select.value = value;
}

function render(state) {
  current = state;
  const counter = state.counter;
  $("counter").textContent = counter
    ? `${counter.counter_name} · Cán bộ: ${counter.staff_name || "chưa đăng nhập (chạm thẻ cán bộ)"}`
    : (state.online ? "" : "Không kết nối được máy chủ");
  $("csca").textContent = `CSCA tin cậy: ${state.csca_count}`;
  fill($("service"), state.services.map((s) => ({ value: s.code, label: `${s.code} – ${s.name}` })));
  fill($("legal-basis"), [{ value: "", label: "— chọn —" }, ...state.legal_bases], state.default_legal_basis);
  $("consent-row").hidden = $("legal-basis").value !== "consent";

  const citizen = state.citizen;
  $("citizen").hidden = !citizen;
  if (citizen) {
    $("face").hidden = !citizen.face;
    if (citizen.face) $("face").src = citizen.face; else $("face").removeAttribute("src");
    $("face-hidden").hidden = !citizen.face_hidden;
    $("name").textContent = citizen.name || "(không có tên)";
    $("document").textContent = citizen.document_type || "Giấy tờ không được hỗ trợ";
    $("number").textContent = citizen.number ? `Số định danh: ${citizen.number}` : "";
    $("verdict").textContent = citizen.accepted ? "THẺ HỢP LỆ" : "THẺ KHÔNG ĐƯỢC XÁC THỰC";
    $("verdict").className = "verdict " + (citizen.accepted ? "ok" : "bad");
    $("chip-auth").textContent = citizen.chip_auth;
    $("reasons").replaceChildren(...citizen.reasons.map((r) => {
      const li = document.createElement("li");
      li.textContent = r.label;
      return li;
    }));
    $("checks").tBodies[0].replaceChildren(...citizen.checks.map((c) => {
      const row = document.createElement("tr");
      for (const [text, cls] of [[c.label, ""], [c.status_label, c.status], [c.detail, ""]]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        if (cls) cell.className = cls;
        row.append(cell);
      }
      return row;
    }));
  } else {
    $("face").removeAttribute("src");
  }
  const session = state.session;
  $("session").hidden = !session;
  $("start-form").hidden = !!session;
  $("read-form").querySelector("button").disabled = !!session;
  if (session) {
    $("session-service").textContent = `${session.service_code} – ${session.service_name}`;
    $("session-start").textContent = new Date(session.started_at).toLocaleTimeString("vi-VN", { timeZone: "Asia/Ho_Chi_Minh" });
  }
  if (state.notice) $("message").textContent = state.notice;
}

$("read-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const can = $("can").value.trim();
  const body = can ? { can } : { mrz: {
    document_number: $("mrz-number").value, date_of_birth: $("mrz-birth").value, date_of_expiry: $("mrz-expiry").value,
  } };
  $("message").textContent = "Đang đọc thẻ…";
  await call("/api/read", body);
  for (const id of ["can", "mrz-number", "mrz-birth", "mrz-expiry"]) $(id).value = "";
});

$("legal-basis").addEventListener("change", () => { $("consent-row").hidden = $("legal-basis").value !== "consent"; });

$("start-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  await call("/api/start", {
    service_code: $("service").value,
    legal_basis: $("legal-basis").value,
    consent: $("consent").checked,
    manual_check: $("manual-check").checked,
  });
});

$("end-button").addEventListener("click", async () => {
  if (await call("/api/end", {})) { $("consent").checked = false; $("manual-check").checked = false; }
});
$("clear-button").addEventListener("click", () => call("/api/clear", {}));

async function poll() {
  try { await call("/api/state"); } catch (error) { $("message").textContent = "Mất kết nối với máy quầy"; }
}
poll();
setInterval(poll, 2000);

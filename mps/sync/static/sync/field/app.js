/*
 * The field app: a worker's households, census visits, assessments and services, with or without a network.
 *
 * Everything the worker records goes into an outbox, each item with a UUID made here, kept encrypted in
 * IndexedDB (store.js) until the server has answered for it: accepted and duplicate items leave the outbox,
 * rejected ones stay, marked with the server's reasons by field path, until the worker corrects or discards
 * them. Sync sends the outbox and then pulls what changed since the last cursor; it runs on demand, when the
 * network comes back, and every few minutes while there is something to send. The service worker (sw.js) keeps
 * the app itself, so a reload or a restart with no network opens it again; the worker's password unlocks the
 * data.
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("field-config").textContent);
  const LANG_KEY = "mps-field-lang";
  const lang = localStorage.getItem(LANG_KEY) || document.documentElement.lang || "ro";
  document.documentElement.lang = lang;
  const KINDS = { assessment: "assessments", visit: "visits", service: "services", referral_status: "referrals" };
  const PUSH_BATCH = 100;
  const AUTO_SYNC_MS = 3 * 60 * 1000;

  // Translations, from Django's JSON catalog (cached by the service worker for offline use).
  let catalog = {};
  function translate(msgid) {
    const value = catalog[msgid];
    if (typeof value === "string") return value;
    if (Array.isArray(value)) return value[0];
    return msgid;
  }
  function pluralIndex(n) {
    if (lang === "ro") return n === 1 ? 0 : n === 0 || (n % 100 > 0 && n % 100 < 20) ? 1 : 2;
    return n === 1 ? 0 : 1;
  }
  function translatePlural(singular, plural, n) {
    const value = catalog[singular];
    if (Array.isArray(value)) return value[Math.min(pluralIndex(n), value.length - 1)];
    return n === 1 ? singular : plural;
  }
  function interpolate(text, values) {
    return text.replace(/%\((\w+)\)s/g, (match, name) => (name in values ? String(values[name]) : match));
  }
  self.gettext = translate;
  self.ngettext = translatePlural;
  const gettext = translate;
  const ngettext = translatePlural;

  const Store = self.MPSStore;
  const store = new Store();
  let meta = null;
  let state = null; // {cursor, households: {ref: household}, localities, user, catalogue, lastSync}
  let outbox = []; // [{kind, ref, household, label, item, status, errors, created}]
  let syncing = false;
  let message = null;

  const app = document.getElementById("app");

  // DOM building: text always goes through textContent, never through HTML.
  function h(tag, attrs, ...children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === undefined || value === null || value === false) return;
      if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    children.flat().forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function label(item) {
    return lang === "en" ? item.label_en || item.name_en : item.label_ro || item.name_ro;
  }

  function formatDate(iso) {
    if (!iso) return "";
    const [y, m, d] = iso.slice(0, 10).split("-");
    return lang === "ro" ? d + "." + m + "." + y : iso.slice(0, 10);
  }

  function cookie(name) {
    const match = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Persistence ------------------------------------------------------------------------------------------

  async function saveState() {
    await store.put("state", state);
  }

  async function saveOutbox() {
    await store.put("outbox", outbox);
    renderHeader();
  }

  async function enqueue(kind, item, household, text) {
    outbox.push({
      kind: kind,
      ref: item.ref,
      household: household,
      label: text,
      item: item,
      status: "pending",
      errors: {},
      created: new Date().toISOString(),
    });
    await saveOutbox();
    if (navigator.onLine) sync();
  }

  function pending() {
    return outbox.filter((entry) => entry.status === "pending");
  }

  function rejected() {
    return outbox.filter((entry) => entry.status === "rejected");
  }

  // Sync ------------------------------------------------------------------------------------------------------

  async function api(url, options) {
    const token = await store.get("token", "");
    const response = await fetch(url, {
      ...options,
      headers: { ...(options && options.headers), Authorization: "Bearer " + token },
      cache: "no-store",
    });
    if (response.status === 401) {
      await signedOutElsewhere();
      throw new Error("revoked");
    }
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function pushOutbox() {
    let batch = pending().slice(0, PUSH_BATCH);
    while (batch.length) {
      const body = { device_id: meta.deviceId, assessments: [], visits: [], services: [], referrals: [] };
      batch.forEach((entry) => body[KINDS[entry.kind]].push(entry.item));
      const answer = await api(config.urls.push, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
      });
      const done = new Set();
      answer.results.forEach((result) => {
        const entry = batch.find((e) => e.ref === result.ref && e.kind === result.kind);
        if (!entry) return;
        if (result.status === "rejected") {
          entry.status = "rejected";
          entry.errors = result.errors;
        } else {
          done.add(entry);
        }
      });
      outbox = outbox.filter((entry) => !done.has(entry));
      await saveOutbox();
      batch = pending().slice(0, PUSH_BATCH);
    }
  }

  async function pull() {
    const url = config.urls.pull + (state.cursor ? "?cursor=" + encodeURIComponent(state.cursor) : "");
    const data = await api(url, {});
    if (data.full) state.households = {};
    data.households.forEach((household) => (state.households[household.ref] = household));
    forgetGone(data.gone || []);
    state.transfers = data.transfers || [];
    if (data.catalogue) state.catalogue = data.catalogue;
    state.localities = data.localities;
    state.user = data.user;
    state.cursor = data.cursor;
    state.lastSync = new Date().toISOString();
    await saveState();
  }

  // A household transferred to another locality leaves the tablet: its members, assessments and case are
  // deleted; only its address and the date stay, to tell the worker, until the worker acknowledges it. What
  // the worker recorded for it and did not send yet stays in the outbox: the server refuses it and keeps it
  // for the new team, and the outbox shows why.
  function forgetGone(gone) {
    state.gone = state.gone || {};
    gone.forEach((entry) => {
      const household = state.households[entry.ref];
      delete state.households[entry.ref];
      if (household || outbox.some((item) => item.household === entry.ref)) {
        state.gone[entry.ref] = { ref: entry.ref, address: household ? household.address : "", on: entry.on };
      }
    });
    outbox.forEach((item) => {
      if (state.gone[item.household]) item.gone = true;
    });
  }

  async function acknowledgeGone(ref) {
    delete state.gone[ref];
    await saveState();
    renderList();
  }

  async function sync() {
    if (syncing || !store.unlocked || !navigator.onLine) return;
    syncing = true;
    renderHeader();
    try {
      await pushOutbox();
      await pull();
      await saveOutbox();
      message = { kind: "success", text: gettext("Everything was sent; the households are up to date.") };
      if (rejected().length) {
        message = { kind: "error", text: gettext("Some records were refused by the server; open the outbox to correct them.") };
      }
    } catch (error) {
      if (error.message !== "revoked") {
        message = { kind: "error", text: gettext("The sync did not finish; nothing was lost. It will be tried again.") };
      }
    } finally {
      syncing = false;
      // Never redraw a form the worker is filling in; lists and the outbox show the new state at once.
      const screen = location.hash.replace(/^#\/?/, "").split("/")[0];
      if (store.unlocked && ["", "h", "outbox"].includes(screen)) route();
      else renderHeader();
    }
  }

  async function wipeEverything() {
    await store.wipe();
    if ("caches" in self) {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith("mps-field")).map((n) => caches.delete(n)));
    }
    state = null;
    outbox = [];
    meta = null;
  }

  async function signedOutElsewhere() {
    await wipeEverything();
    message = { kind: "error", text: gettext("This device was signed out. Its data was erased; log in again to continue.") };
    renderSetup();
  }

  // Screens --------------------------------------------------------------------------------------------------

  function renderHeader() {
    const header = document.getElementById("field-header");
    const count = pending().length;
    const online = navigator.onLine;
    const parts = [
      h("a", { class: "brand", href: "#/", text: gettext("MPS field app") }),
      h("span", { class: "network " + (online ? "online" : "offline"), id: "network", text: online ? gettext("Online") : gettext("Offline") }),
    ];
    if (store.unlocked) {
      parts.push(
        h(
          "a",
          { href: "#/outbox", class: "pending", id: "pending-count", "data-count": String(count) },
          interpolate(ngettext("%(count)s record to send", "%(count)s records to send", count), { count: count })
        )
      );
      if (rejected().length) {
        parts.push(
          h("a", { href: "#/outbox", class: "rejected", id: "rejected-count" },
            interpolate(ngettext("%(count)s to correct", "%(count)s to correct", rejected().length), { count: rejected().length }))
        );
      }
      parts.push(
        h("button", { type: "button", id: "sync-now", disabled: syncing || !online, onclick: () => sync() },
          syncing ? gettext("Syncing…") : gettext("Sync now"))
      );
      parts.push(h("button", { type: "button", class: "linklike", id: "lock", onclick: lock }, gettext("Lock")));
    }
    parts.push(
      h("button", { type: "button", class: "linklike", lang: lang === "ro" ? "en" : "ro", onclick: switchLanguage }, lang === "ro" ? "English" : "Română")
    );
    if (meta) parts.push(h("button", { type: "button", class: "linklike", id: "logout", onclick: logout }, gettext("Log out")));
    header.replaceChildren(...parts);
  }

  function show(...children) {
    renderHeader();
    const notice = message ? h("p", { class: "message " + message.kind, role: "status", text: message.text }) : null;
    message = null;
    app.replaceChildren(...[notice, ...children].filter(Boolean));
    window.scrollTo(0, 0);
  }

  function renderSetup() {
    if (!navigator.onLine) {
      show(h("section", { class: "card" }, h("h1", { text: gettext("Prepare this tablet") }),
        h("p", { text: gettext("Connect to the network once and log in to prepare this tablet for work without a network.") })));
      return;
    }
    const password = h("input", { type: "password", id: "password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      { class: "card narrow", id: "setup-form" },
      h("h1", { text: gettext("Prepare this tablet") }),
      h("p", {
        text: gettext(
          "Type your password once more. It protects the households kept on this tablet: they are encrypted with a key made from it, and you will type it each time you open the app."
        ),
      }),
      h("label", { for: "password", text: gettext("Password") }),
      password,
      h("div", { class: "actions" }, h("button", { type: "submit", text: gettext("Prepare the tablet") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button");
      button.disabled = true;
      try {
        const deviceId = self.MPSForm.newRef();
        const response = await fetch(config.urls.token, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
          body: JSON.stringify({ password: password.value, device_id: deviceId, device_name: navigator.userAgent.slice(0, 100) }),
          credentials: "same-origin",
        });
        if (response.status === 422) {
          message = { kind: "error", text: gettext("The password is not right.") };
          renderSetup();
          return;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        const issued = await response.json();
        await store.create(password.value, config.username, deviceId);
        meta = await store.meta();
        await store.put("token", issued.token);
        state = { cursor: "", households: {}, localities: [], user: null, catalogue: null, lastSync: null };
        outbox = [];
        await saveState();
        await saveOutbox();
        await sync();
      } catch (error) {
        message = { kind: "error", text: gettext("The tablet could not be prepared. Check the network and try again.") };
        renderSetup();
      }
    });
    show(form);
    password.focus();
  }

  function renderUnlock() {
    const password = h("input", { type: "password", id: "password", autocomplete: "current-password", required: true });
    const form = h(
      "form",
      { class: "card narrow", id: "unlock-form" },
      h("h1", { text: gettext("Unlock the field app") }),
      h("p", { text: interpolate(gettext("The data of %(username)s is encrypted on this tablet. Type your password to open it."), { username: meta.username }) }),
      h("label", { for: "password", text: gettext("Password") }),
      password,
      h("div", { class: "actions" }, h("button", { type: "submit", text: gettext("Unlock") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!(await store.unlock(password.value))) {
        message = { kind: "error", text: gettext("The password is not right.") };
        renderUnlock();
        return;
      }
      state = await store.get("state", { cursor: "", households: {}, localities: [] });
      outbox = await store.get("outbox", []);
      route();
      if (navigator.onLine) sync();
    });
    show(form);
    password.focus();
  }

  function householdTitle(household) {
    const head = (household.members || []).find((m) => m.relation === "head");
    return household.address + (head ? " · " + head.first_name + " " + head.last_name : "");
  }

  function riskText(risk) {
    return {
      none: gettext("no risk found"),
      low: gettext("low risk"),
      medium: gettext("medium risk"),
      high: gettext("high risk"),
    }[risk] || risk;
  }

  function renderList() {
    const search = h("input", { type: "search", id: "search", placeholder: gettext("Search by address or name") });
    const list = h("ul", { class: "households", id: "household-list" });
    const households = Object.values(state.households || {}).sort((a, b) => a.address.localeCompare(b.address, "ro"));
    const waiting = new Set(pending().map((entry) => entry.household));
    const leaving = new Set((state.transfers || []).filter((t) => t.direction === "outgoing").map((t) => t.household));
    function fill() {
      const needle = search.value.trim().toLowerCase();
      list.replaceChildren(
        ...households
          .filter((hh) => !needle || householdTitle(hh).toLowerCase().includes(needle))
          .slice(0, 300)
          .map((hh) =>
            h("li", { "data-ref": hh.ref },
              h("a", { href: "#/h/" + hh.ref, text: householdTitle(hh) }),
              hh.village ? h("span", { class: "muted", text: " " + hh.village }) : null,
              hh.latest ? h("span", { class: "risk risk-" + hh.latest.risk, text: riskText(hh.latest.risk) }) : null,
              (hh.census || []).map((entry) => h("span", { class: "census", text: entry.wave + ": " + censusStatus(entry.status) })),
              waiting.has(hh.ref) ? h("span", { class: "waiting", text: gettext("waiting to be sent") }) : null,
              leaving.has(hh.ref) ? h("span", { class: "leaving", text: gettext("transfer requested") }) : null
            )
          )
      );
    }
    search.addEventListener("input", fill);
    fill();
    const goneItems = Object.values(state.gone || {});
    const gone = goneItems.length
      ? h("ul", { class: "households gone", id: "gone-list" },
          goneItems.map((entry) =>
            h("li", { "data-ref": entry.ref },
              h("strong", { text: entry.address || gettext("A household") }),
              " · " + interpolate(gettext("Transferred to another locality on %(date)s; its data was removed from this tablet."), { date: formatDate(entry.on) }),
              " ",
              h("button", { type: "button", class: "button secondary small", onclick: () => acknowledgeGone(entry.ref) }, gettext("Understood"))
            )
          ))
      : null;
    show(
      h("div", { class: "toolbar" },
        h("h1", { text: gettext("My households") }),
        h("div", { class: "actions" },
          h("a", { class: "button secondary", href: "#/new", id: "new-household", text: gettext("New household found in the field") }),
          navigator.onLine ? h("a", { class: "button secondary", href: config.urls.conflicts, text: gettext("Conflicts to review") }) : null)
      ),
      state.lastSync
        ? h("p", { class: "muted", text: interpolate(gettext("Last sync: %(when)s"), { when: new Date(state.lastSync).toLocaleString(lang === "ro" ? "ro-RO" : "en-GB") }) })
        : h("p", { class: "muted", text: gettext("Not synced yet.") }),
      gone,
      search,
      households.length ? list : h("p", { text: gettext("No households yet. Sync to receive the households of your localities.") })
    );
  }

  function censusStatus(status) {
    return {
      to_visit: gettext("to visit"),
      assessed: gettext("assessed"),
      nobody_home: gettext("nobody home"),
      refused: gettext("refused"),
      moved_or_not_found: gettext("moved or not found"),
    }[status] || status;
  }

  function vulnerabilityName(code) {
    const found = ((state.catalogue && state.catalogue.vulnerabilities) || []).find((v) => v.code === code);
    return found ? label(found) : code;
  }

  function optionLabel(field, value) {
    const question = ((state.catalogue && state.catalogue.questions.member) || []).find((q) => q.field === field);
    const option = question && (question.options || []).find((o) => o.value === value);
    return option ? label(option) : value;
  }

  function memberName(household, ref) {
    const member = (household.members || []).find((m) => m.ref === ref);
    return member ? member.first_name + " " + member.last_name : "";
  }

  function renderHousehold(ref) {
    const hh = state.households[ref];
    if (!hh) return renderList();
    const members = h("table", { class: "members" },
      h("thead", {}, h("tr", {}, h("th", { text: gettext("Name") }), h("th", { text: gettext("Born") }), h("th", { text: gettext("Relation") }))),
      h("tbody", {}, (hh.members || []).map((m) =>
        h("tr", {}, h("td", { text: m.first_name + " " + m.last_name }), h("td", { text: formatDate(m.birth_date) }), h("td", { text: optionLabel("relation", m.relation) }))))
    );
    const latest = hh.latest
      ? h("section", { class: "card", id: "latest" },
          h("h2", { text: interpolate(gettext("Latest assessment: %(wave)s of %(date)s"), { wave: hh.latest.wave, date: formatDate(hh.latest.assessed_on) }) }),
          h("p", {}, h("span", { class: "risk risk-" + hh.latest.risk, text: riskText(hh.latest.risk) }), " · " + interpolate(gettext("score %(score)s"), { score: hh.latest.score })),
          h("ul", {}, hh.latest.findings.map(([code, person]) => h("li", { text: code + " " + vulnerabilityName(code) + (person ? " · " + memberName(hh, person) : "") }))))
      : h("p", { text: gettext("This household has not been assessed yet.") });
    const goals = (hh.goals || []).length
      ? h("section", { class: "card" }, h("h2", { text: gettext("Open plan goals") }),
          h("ul", {}, hh.goals.map((g) => h("li", { text: g.code + " " + vulnerabilityName(g.code) + (g.person ? " · " + memberName(hh, g.person) : "") + (g.persisting ? " · " + gettext("persists") : "") }))))
      : null;
    const tasks = (hh.tasks || []).length
      ? h("section", { class: "card" }, h("h2", { text: gettext("Tasks") }),
          h("ul", {}, hh.tasks.map((task) => h("li", { class: task.urgent ? "urgent" : "", text: task.title + " · " + formatDate(task.due) }))))
      : null;
    const referrals = (hh.referrals || []).length
      ? h("section", { class: "card" }, h("h2", { text: gettext("Referrals") }),
          h("ul", {}, hh.referrals.map((r) => h("li", {}, r.code + " · " + r.institution + " · " + r.status + " ",
            h("a", { href: "#/referral/" + hh.ref + "/" + r.ref, text: gettext("Change status") })))))
      : null;
    const mine = outbox.filter((entry) => entry.household === hh.ref);
    const transfer = (state.transfers || []).find((t) => t.household === hh.ref && t.direction === "outgoing");
    show(
      h("p", {}, h("a", { href: "#/", text: "← " + gettext("My households") })),
      h("h1", { text: householdTitle(hh) }),
      h("div", { class: "actions" },
        h("a", { class: "button", href: "#/a/" + hh.ref, id: "new-assessment", text: hh.latest ? gettext("Re-evaluate") : gettext("Assess") }),
        (hh.census || []).length ? h("a", { class: "button secondary", href: "#/visit/" + hh.ref, id: "record-visit", text: gettext("Record a census visit") }) : null,
        hh.case ? h("a", { class: "button secondary", href: "#/service/" + hh.ref, id: "log-service", text: gettext("Log a service") }) : null
      ),
      transfer ? h("p", { class: "message", id: "transfer-pending", text: interpolate(gettext("A transfer of this household to %(locality)s waits for the decision of its coordinator."), { locality: transfer.to_locality }) }) : null,
      mine.length ? h("p", { class: "waiting", text: interpolate(ngettext("%(count)s record of this household waits to be sent.", "%(count)s records of this household wait to be sent.", mine.length), { count: mine.length }) }) : null,
      h("section", { class: "card" }, h("h2", { text: gettext("Members") }), members),
      latest, goals, tasks, referrals
    );
  }

  function field(labelText, input, id) {
    input.id = id;
    return h("div", { class: "q" }, h("label", { for: id, class: "label", text: labelText }), input);
  }

  function options(pairs, selected) {
    return pairs.map(([value, text]) => h("option", { value: value, selected: value === selected, text: text }));
  }

  function renderVisit(ref) {
    const hh = state.households[ref];
    if (!hh) return renderList();
    const entries = hh.census || [];
    const wave = h("select", {}, options(entries.map((e) => [e.wave, e.wave + " · " + censusStatus(e.status)]), entries[0] && entries[0].wave));
    const outcome = h("select", { required: true }, options([["", "—"], ["nobody_home", gettext("nobody home")], ["refused", gettext("refused")], ["moved_or_not_found", gettext("moved or not found")]], ""));
    const date = h("input", { type: "date", value: self.MPSForm.todayText(), max: self.MPSForm.todayText() });
    const note = h("textarea", { rows: "3", maxlength: "2000" });
    const form = h("form", { class: "card", id: "visit-form" },
      h("h1", { text: gettext("Census visit") + ": " + householdTitle(hh) }),
      h("p", { class: "muted", text: gettext("A visit that ends with an assessment is recorded by saving the assessment.") }),
      field(gettext("Census wave"), wave, "visit-wave"),
      field(gettext("Outcome of the visit"), outcome, "visit-outcome"),
      field(gettext("Visit date"), date, "visit-date"),
      field(gettext("Note"), note, "visit-note"),
      h("div", { class: "actions" }, h("button", { type: "submit", text: gettext("Save the visit") }), h("a", { class: "button secondary", href: "#/h/" + ref, text: gettext("Cancel") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!outcome.value || !date.value) {
        message = { kind: "error", text: gettext("Choose the outcome and the date of the visit.") };
        return renderVisit(ref);
      }
      const item = { ref: self.MPSForm.newRef(), household: ref, wave: wave.value || undefined, outcome: outcome.value, visited_on: date.value, note: note.value };
      await enqueue("visit", item, ref, gettext("Census visit") + " · " + hh.address + " · " + censusStatus(outcome.value));
      message = { kind: "success", text: gettext("The visit was saved on the tablet.") };
      location.hash = "#/h/" + ref;
    });
    show(form);
  }

  function renderService(ref) {
    const hh = state.households[ref];
    if (!hh) return renderList();
    const services = ((state.catalogue && state.catalogue.services) || []).map((s) => [s.code, s.code + " " + label(s)]);
    const service = h("select", { required: true }, options([["", "—"], ...services], ""));
    const person = h("select", {}, options([["", gettext("The household")], ...(hh.members || []).map((m) => [m.ref, m.first_name + " " + m.last_name])], ""));
    const date = h("input", { type: "date", value: self.MPSForm.todayText(), max: self.MPSForm.todayText() });
    const place = h("select", {}, options([
      ["home_visit", gettext("home visit")], ["community_centre", gettext("community centre")], ["office", gettext("office")],
      ["school", gettext("school")], ["medical_office", gettext("medical office")]], "home_visit"));
    const minutes = h("input", { type: "number", min: "1", max: "720", value: "30", inputmode: "numeric" });
    const note = h("textarea", { rows: "3", maxlength: "2000" });
    const form = h("form", { class: "card", id: "service-form" },
      h("h1", { text: gettext("Service delivered") + ": " + householdTitle(hh) }),
      field(gettext("Service"), service, "service-code"),
      field(gettext("For"), person, "service-person"),
      field(gettext("When"), date, "service-date"),
      field(gettext("Where"), place, "service-place"),
      field(gettext("How long (minutes)"), minutes, "service-minutes"),
      field(gettext("Note"), note, "service-note"),
      h("div", { class: "actions" }, h("button", { type: "submit", text: gettext("Save the service") }), h("a", { class: "button secondary", href: "#/h/" + ref, text: gettext("Cancel") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const duration = Number(minutes.value);
      if (!service.value || !date.value || !(duration >= 1 && duration <= 720)) {
        message = { kind: "error", text: gettext("Choose the service and the date, and a duration between 1 and 720 minutes.") };
        return renderService(ref);
      }
      const item = {
        ref: self.MPSForm.newRef(), household: ref, service: service.value, person: person.value || undefined,
        delivered_on: date.value, place: place.value, duration_minutes: duration, note: note.value,
      };
      await enqueue("service", item, ref, gettext("Service delivered") + " · " + hh.address + " · " + service.value);
      message = { kind: "success", text: gettext("The service was saved on the tablet.") };
      location.hash = "#/h/" + ref;
    });
    show(form);
  }

  const REFERRAL_NEXT = {
    draft: ["sent"],
    sent: ["accepted", "rejected", "no_answer"],
    no_answer: ["sent", "accepted", "rejected"],
    accepted: ["completed", "rejected"],
  };

  function renderReferral(householdRef, referralRef) {
    const hh = state.households[householdRef];
    const referral = hh && (hh.referrals || []).find((r) => r.ref === referralRef);
    if (!referral) return renderList();
    const names = { sent: gettext("sent"), accepted: gettext("accepted"), completed: gettext("completed"), rejected: gettext("rejected"), no_answer: gettext("no answer") };
    const status = h("select", {}, options((REFERRAL_NEXT[referral.status] || []).map((s) => [s, names[s]]), ""));
    const date = h("input", { type: "date", value: self.MPSForm.todayText(), max: self.MPSForm.todayText() });
    const note = h("textarea", { rows: "3", maxlength: "2000" });
    const form = h("form", { class: "card", id: "referral-form" },
      h("h1", { text: gettext("Referral") + ": " + referral.code + " · " + referral.institution }),
      field(gettext("New status"), status, "referral-status"),
      field(gettext("Date"), date, "referral-date"),
      field(gettext("Note or outcome"), note, "referral-note"),
      h("div", { class: "actions" }, h("button", { type: "submit", text: gettext("Save") }), h("a", { class: "button secondary", href: "#/h/" + householdRef, text: gettext("Cancel") }))
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const item = { ref: self.MPSForm.newRef(), referral: referralRef, status: status.value, on: date.value || undefined, note: note.value };
      await enqueue("referral_status", item, householdRef, gettext("Referral") + " · " + referral.code + " → " + names[status.value]);
      referral.status = status.value;
      await saveState();
      location.hash = "#/h/" + householdRef;
    });
    show(form);
  }

  function renderAssessment(ref, draftEntry) {
    if (!state.catalogue) {
      message = { kind: "error", text: gettext("Sync once before the first assessment: the form comes with the first sync.") };
      return renderList();
    }
    const household = ref ? state.households[ref] : null;
    const container = h("div", {});
    const villages = h("datalist", { id: "villages" }, (state.localities || []).flatMap((l) => l.villages.map((v) => h("option", { value: v }))));
    const form = new self.MPSForm.AssessmentForm(container, {
      questions: state.catalogue.questions,
      lang: lang,
      username: meta.username,
      localities: state.localities || [],
      household: household,
      draft: draftEntry ? draftEntry.item : null,
      errors: draftEntry ? draftEntry.errors : null,
    });
    const save = h("button", { type: "button", id: "save-assessment", text: gettext("Save the assessment") });
    save.addEventListener("click", async () => {
      const { document: doc, problems } = form.collect();
      if (Object.keys(problems).length) {
        form.showProblems(problems);
        return;
      }
      if (draftEntry) outbox = outbox.filter((entry) => entry !== draftEntry);
      const hhRef = doc.household.ref;
      if (!state.households[hhRef]) {
        // A household found in the field: shown in the list until the server sends it back.
        state.households[hhRef] = {
          ref: hhRef, locality: doc.household.locality, village: doc.household.village || "", address: doc.household.address,
          members: doc.members.map((m) => ({ ref: m.ref, first_name: m.first_name, last_name: m.last_name, sex: m.sex, birth_date: m.birth_date, relation: m.relation })),
          latest: null, case: null, goals: [], tasks: [], referrals: [], census: [],
        };
        await saveState();
      }
      await enqueue("assessment", doc, hhRef, gettext("Assessment") + " " + doc.wave + " · " + doc.household.address);
      message = { kind: "success", text: gettext("The assessment was saved on the tablet; it will be sent with the next sync.") };
      location.hash = "#/h/" + hhRef;
    });
    const back = household ? "#/h/" + household.ref : draftEntry ? "#/outbox" : "#/";
    show(
      h("p", {}, h("a", { href: back, text: "← " + gettext("Back") })),
      h("h1", { text: household ? gettext("Assessment") + ": " + householdTitle(household) : gettext("New household found in the field") }),
      villages,
      container,
      h("div", { class: "savebar" }, save, h("a", { class: "button secondary", href: back, text: gettext("Cancel") }))
    );
  }

  function renderOutbox() {
    const items = outbox.map((entry, index) =>
      h("li", { class: entry.status, "data-ref": entry.ref },
        h("strong", { text: entry.label }),
        " · " + (entry.status === "rejected" ? gettext("refused by the server") : gettext("waiting to be sent")),
        entry.status === "rejected"
          ? h("ul", { class: "errorlist" }, Object.entries(entry.errors).map(([path, messages]) => h("li", { text: path + ": " + messages.join(" ") })))
          : null,
        entry.gone ? h("p", { class: "muted", text: gettext("The household was transferred to another locality; the server kept this record for its new team.") }) : null,
        entry.status === "rejected" && entry.kind === "assessment" && !entry.gone ? h("a", { class: "button small", href: "#/fix/" + index, text: gettext("Correct") }) : null,
        entry.status === "rejected"
          ? h("button", { type: "button", class: "button secondary small", onclick: async () => {
              if (!confirm(gettext("Discard this record? What was typed in it will be lost on this tablet (the server keeps a copy)."))) return;
              outbox = outbox.filter((e) => e !== entry);
              await saveOutbox();
              renderOutbox();
            } }, gettext("Discard"))
          : null
      )
    );
    show(
      h("h1", { text: gettext("Outbox") }),
      outbox.length ? h("ul", { class: "outbox", id: "outbox" }, items) : h("p", { text: gettext("Nothing waits to be sent.") })
    );
  }

  function route() {
    if (!store.unlocked) return;
    const parts = location.hash.replace(/^#\/?/, "").split("/");
    switch (parts[0]) {
      case "h": return renderHousehold(parts[1]);
      case "a": return renderAssessment(parts[1]);
      case "new": return renderAssessment(null);
      case "visit": return renderVisit(parts[1]);
      case "service": return renderService(parts[1]);
      case "referral": return renderReferral(parts[1], parts[2]);
      case "outbox": return renderOutbox();
      case "fix": {
        const entry = outbox[Number(parts[1])];
        return entry ? renderAssessment(entry.household, entry) : renderOutbox();
      }
      default: return renderList();
    }
  }

  function lock() {
    store.lock();
    state = null;
    outbox = [];
    renderUnlock();
  }

  async function switchLanguage() {
    const next = lang === "ro" ? "en" : "ro";
    localStorage.setItem(LANG_KEY, next);
    if (navigator.onLine) {
      const body = new URLSearchParams({ language: next, next: config.urls.app });
      await fetch(config.urls.setLanguage, {
        method: "POST", body: body, headers: { "X-CSRFToken": cookie("csrftoken") }, credentials: "same-origin", redirect: "manual",
      }).catch(() => undefined);
    }
    location.reload();
  }

  async function logout() {
    if (store.unlocked && outbox.length) {
      if (navigator.onLine) await sync();
      if (outbox.length && !confirm(gettext("Some records have not been sent. Logging out erases them from this tablet. Log out anyway?"))) return;
    }
    if (store.unlocked && navigator.onLine) {
      await api(config.urls.revoke, { method: "POST" }).catch(() => undefined);
    }
    await wipeEverything();
    const form = h("form", { method: "post", action: config.urls.logout }, h("input", { type: "hidden", name: "csrfmiddlewaretoken", value: cookie("csrftoken") }));
    document.body.appendChild(form);
    if (navigator.onLine) form.submit();
    else renderSetup();
  }

  async function start() {
    try {
      const response = await fetch(config.urls.i18n.replace("LANG", lang));
      if (response.ok) catalog = (await response.json()).catalog || {};
    } catch (error) {
      // Untranslated (English) strings are better than no app.
    }
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.urls.sw, { scope: config.urls.app }).catch((error) => console.error("service worker", error));
    }
    await store.open();
    meta = await store.meta();
    if (meta && meta.username !== config.username) {
      // Another worker signed in on this tablet: the previous worker's households must not stay here.
      await wipeEverything();
    }
    if (!meta) return renderSetup();
    renderUnlock();
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("online", () => {
    renderHeader();
    sync();
  });
  window.addEventListener("offline", renderHeader);
  setInterval(() => {
    if (pending().length) sync();
  }, AUTO_SYNC_MS);

  start();
})();

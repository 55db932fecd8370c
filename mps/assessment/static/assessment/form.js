/*
 * The assessment form on a tablet: show only the questions that apply, add and remove members.
 *
 * Which questions apply is decided by the applicability conditions of the one question definition
 * (mps/assessment/catalogue/questions-v1.json), which the server emits into the page with json_script. The
 * conditions are evaluated here exactly as mps/assessment/questions.py evaluates them: questions in order, a
 * question that does not apply takes its neutral answer before later questions are judged. Hidden inputs are
 * disabled, so they are not sent; the server sends their neutral answers and judges everything again.
 */
(function () {
  "use strict";

  const form = document.getElementById("assessment-form");
  const definitionScript = document.getElementById("assessment-questions");
  if (!form || !definitionScript) return;
  const definition = JSON.parse(definitionScript.textContent);
  const membersBox = document.getElementById("members");
  const template = document.getElementById("member-template");

  // The one evaluator of applicability conditions, shared with the field app (conditions.js, tested against
  // questions.py under Node).
  const { conditionHolds, parseDate, ageOn } = window.MPSConditions;

  function today() {
    const now = new Date();
    return [now.getFullYear(), now.getMonth() + 1, now.getDate()];
  }


  function visitDate() {
    const input = form.querySelector('[name="v.assessed_on"]');
    return parseDate(input ? input.value : "") || today();
  }

  // Reading answers from the inputs, typed like the server reads them.
  function inputsNamed(scope, name) {
    return scope.querySelectorAll('[name="' + CSS.escape(name) + '"]');
  }

  function readAnswer(scope, name, type) {
    const inputs = inputsNamed(scope, name);
    if (!inputs.length) return undefined;
    let text;
    if (inputs[0].type === "radio") {
      const checked = Array.from(inputs).find((input) => input.checked);
      text = checked ? checked.value : "";
    } else {
      text = inputs[0].value.trim();
    }
    if (text === "") return undefined;
    if (type === "boolean") return text === "true" ? true : text === "false" ? false : text;
    if (type === "integer" || type === "number") {
      const number = Number(text.replace(/\s/g, "").replace(",", "."));
      return Number.isFinite(number) ? number : text;
    }
    return text;
  }

  function setShown(scope, name, shown) {
    const wrapper = scope.querySelector('.q[data-name="' + CSS.escape(name) + '"]');
    if (!wrapper) return;
    wrapper.hidden = !shown;
    wrapper.querySelectorAll("input, select, textarea").forEach((input) => {
      input.disabled = !shown;
    });
  }

  // Judge every question of one part in order, as questions._with_neutral_answers does.
  function refresh(scope, questions, prefix, age) {
    const answers = {};
    for (const question of questions) {
      const value = readAnswer(scope, prefix + question.field, question.type);
      if (value !== undefined) answers[question.field] = value;
    }
    for (const question of questions) {
      const applies = !question.applies_when || conditionHolds(question.applies_when, answers, age);
      if (!applies) {
        if (question.neutral === null && question.optional) delete answers[question.field];
        else answers[question.field] = question.neutral;
      }
      setShown(scope, prefix + question.field, applies);
    }
  }

  function refreshHousehold() {
    refresh(form, definition.household, "h.", null);
  }

  function refreshMember(member) {
    const ref = member.dataset.member;
    const prefix = "m." + ref + ".";
    const birth = member.querySelector('[name="' + CSS.escape(prefix + "birth_date") + '"]');
    refresh(member, definition.member, prefix, ageOn(parseDate(birth ? birth.value : ""), visitDate()));
  }

  function members() {
    return Array.from(membersBox.querySelectorAll("details[data-member]"));
  }

  // Names: the member's summary line and the "mother / father / consent given by" lists follow the inputs.
  function memberName(member) {
    const prefix = "m." + member.dataset.member + ".";
    const first = member.querySelector('[name="' + CSS.escape(prefix + "first_name") + '"]');
    const last = member.querySelector('[name="' + CSS.escape(prefix + "last_name") + '"]');
    const name = [first && first.value.trim(), last && last.value.trim()].filter(Boolean).join(" ");
    return name || membersBox.dataset.newMember;
  }

  function refreshNames() {
    const everyone = members().map((member) => ({ ref: member.dataset.member, name: memberName(member) }));
    everyone.forEach((entry, index) => {
      members()[index].querySelector(".member-name").textContent = entry.name;
    });
    form.querySelectorAll("select[data-member-select]").forEach((select) => {
      const current = select.value;
      const self = select.dataset.self || "";
      while (select.options.length > 1) select.remove(1);
      everyone
        .filter((entry) => entry.ref !== self)
        .forEach((entry) => select.add(new Option(entry.name, entry.ref)));
      select.value = current;
      if (select.value !== current) select.value = "";
    });
  }

  const newRef = window.MPSRefs.newRef;

  function addMember() {
    membersBox.insertAdjacentHTML("beforeend", template.innerHTML.replaceAll("__REF__", newRef()));
    const member = membersBox.lastElementChild;
    member.open = true;
    refreshNames();
    refreshMember(member);
    const first = member.querySelector('input[type="text"]');
    if (first) first.focus();
  }

  function onAnswer(event) {
    const name = event.target.name || "";
    if (name === "v.assessed_on") {
      members().forEach(refreshMember);
    } else if (name.startsWith("h.")) {
      refreshHousehold();
    } else if (name.startsWith("m.")) {
      const member = event.target.closest("details[data-member]");
      if (member) refreshMember(member);
      if (name.endsWith(".first_name") || name.endsWith(".last_name")) refreshNames();
    }
  }

  form.addEventListener("change", onAnswer);
  form.addEventListener("input", onAnswer);
  document.getElementById("add-member").addEventListener("click", addMember);
  membersBox.addEventListener("click", (event) => {
    const button = event.target.closest(".remove-member");
    if (!button) return;
    button.closest("details[data-member]").remove();
    refreshNames();
  });

  // The household's position from the tablet, when it has one.
  const locate = document.getElementById("locate");
  if (locate && "geolocation" in navigator) {
    locate.hidden = false;
    locate.addEventListener("click", () => {
      navigator.geolocation.getCurrentPosition((position) => {
        const values = {
          "h.location.lat": position.coords.latitude.toFixed(6),
          "h.location.lon": position.coords.longitude.toFixed(6),
          "h.location.accuracy_m": String(Math.round(position.coords.accuracy)),
        };
        Object.entries(values).forEach(([name, value]) => {
          const input = form.querySelector('[name="' + name + '"]');
          if (input) input.value = value;
        });
      });
    });
  }

  refreshHousehold();
  members().forEach(refreshMember);
})();

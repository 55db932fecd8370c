/*
 * The assessment form of the field app, generated from the one question definition (the same data the web
 * form is drawn from: mps/assessment/catalogue/questions-v1.json, sent by the first pull).
 *
 * Only the questions that apply are shown; the others take their neutral answer, as on the server. Before a
 * visit is put in the outbox the form checks what the server would refuse (unanswered questions, bounds and
 * lengths from the interchange schema, dates, exactly one head, parents, CNP checksums); the server checks
 * everything again when the outbox is sent, and anything it still refuses comes back with the same field paths,
 * which this form shows next to the questions when the visit is opened again.
 */
(function (root) {
  "use strict";

  const C = root.MPSConditions;

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([name, value]) => {
      if (value === undefined || value === null || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach((child) => child && node.appendChild(child));
    return node;
  }

  const newRef = root.MPSRefs.newRef;

  function todayText() {
    const now = new Date();
    const pad = (n) => String(n).padStart(2, "0");
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function readNested(object, field) {
    let value = object;
    for (const name of field.split(".")) {
      if (value === null || typeof value !== "object" || !(name in value)) return undefined;
      value = value[name];
    }
    return value;
  }

  function setNested(object, field, value) {
    const names = field.split(".");
    let node = object;
    names.slice(0, -1).forEach((name) => {
      if (typeof node[name] !== "object" || node[name] === null) node[name] = {};
      node = node[name];
    });
    node[names[names.length - 1]] = value;
  }

  function flatten(questions, object) {
    const answers = {};
    questions.forEach((q) => {
      const value = readNested(object || {}, q.field);
      if (value !== undefined) answers[q.field] = value;
    });
    return answers;
  }

  // CNP: 13 digits whose last is the checksum of the first twelve (weights 279146358279).
  function cnpValid(cnp) {
    if (!/^\d{13}$/.test(cnp)) return false;
    const weights = "279146358279";
    let sum = 0;
    for (let i = 0; i < 12; i++) sum += Number(cnp[i]) * Number(weights[i]);
    let control = sum % 11;
    if (control === 10) control = 1;
    return control === Number(cnp[12]);
  }

  class AssessmentForm {
    /*
     * options: {questions, lang, username, localities, household (pulled) or null, draft (a document to
     * edit) or null, errors (by path) or null}
     */
    constructor(container, options) {
      this.container = container;
      this.o = options;
      this.q = options.questions;
      this.render();
    }

    label(item) {
      return this.o.lang === "en" ? item.label_en : item.label_ro;
    }

    help(item) {
      return this.o.lang === "en" ? item.help_en : item.help_ro;
    }

    // The document the form starts from: the draft being corrected, or the household's latest visit
    // (a re-evaluation is prefilled from it) with the registry's present identity of each member.
    startingDocument() {
      if (this.o.draft) return JSON.parse(JSON.stringify(this.o.draft));
      const h = this.o.household;
      const latest = h && h.latest ? h.latest.document : null;
      const nextWave = h && h.latest ? "T" + (Number(h.latest.wave.slice(1)) + 1) : "T0";
      const doc = {
        schema_version: "1",
        ref: newRef(),
        wave: nextWave,
        assessed_on: todayText(),
        household: latest ? JSON.parse(JSON.stringify(latest.household)) : { ref: h ? h.ref : newRef() },
        members: [],
      };
      if (h) {
        doc.household.ref = h.ref;
        doc.household.locality = h.locality;
        doc.household.address = h.address;
        if (h.village) doc.household.village = h.village;
        else delete doc.household.village;
        delete doc.household.location;
        delete doc.household.consent;
      } else if (this.o.localities.length) {
        doc.household.locality = this.o.localities[0].siruta;
      }
      const previous = {};
      (latest ? latest.members : []).forEach((m) => (previous[m.ref] = m));
      ((h && h.members) || []).forEach((person) => {
        const member = previous[person.ref] ? JSON.parse(JSON.stringify(previous[person.ref])) : { ref: person.ref };
        Object.assign(member, {
          first_name: person.first_name,
          last_name: person.last_name,
          sex: person.sex,
          birth_date: person.birth_date,
          relation: person.relation,
        });
        if (person.cnp) member.cnp = person.cnp;
        if (person.mother) member.mother_ref = person.mother;
        if (person.father) member.father_ref = person.father;
        doc.members.push(member);
      });
      if (!doc.members.length) doc.members.push({ ref: newRef(), relation: "head" });
      return doc;
    }

    render() {
      const doc = this.startingDocument();
      this.ref = doc.ref;
      this.householdRef = doc.household.ref;
      const form = el("form", { class: "assessment", novalidate: true, id: "field-assessment" });
      this.form = form;

      const visit = el("fieldset", { class: "card part", "data-part": "visit" }, [el("legend", { text: gettext("Visit") })]);
      this.q.visit.forEach((q) => visit.appendChild(this.question(q, "", doc[q.field])));
      form.appendChild(visit);

      const household = el("fieldset", { class: "card part", "data-part": "household" }, [
        el("legend", { text: gettext("Household") }),
      ]);
      const locate = el("button", { type: "button", class: "button secondary small", id: "locate", text: gettext("Use the tablet's position") });
      locate.addEventListener("click", () => this.locate());
      household.appendChild(locate);
      this.q.household.forEach((q) => household.appendChild(this.question(q, "household.", readNested(doc.household, q.field))));
      form.appendChild(household);

      this.membersBox = el("div", { id: "members" });
      form.appendChild(el("h2", { text: gettext("Members") }));
      form.appendChild(this.membersBox);
      doc.members.forEach((member) => this.addMember(member));
      const add = el("button", { type: "button", class: "button secondary", id: "add-member", text: "+ " + gettext("Add a member") });
      add.addEventListener("click", () => {
        const box = this.addMember({ ref: newRef() });
        box.open = true;
        this.refreshNames();
        this.refresh();
      });
      form.appendChild(el("div", { class: "actions" }, [add]));
      this.problemsBox = el("div", { class: "problems", role: "alert", hidden: true });
      form.insertBefore(this.problemsBox, form.firstChild);

      form.addEventListener("input", (event) => this.onAnswer(event));
      form.addEventListener("change", (event) => this.onAnswer(event));
      this.container.replaceChildren(form);
      this.refreshNames();
      this.refresh();
      if (this.o.errors) this.showProblems(this.o.errors);
      // The household's position, when the tablet can tell it; never blocks the form.
      if (!this.o.draft) this.locate(true);
    }

    onAnswer(event) {
      const name = event.target.name || "";
      if (name.endsWith("first_name") || name.endsWith("last_name")) this.refreshNames();
      this.refresh();
    }

    question(q, prefix, value) {
      const name = prefix + q.field;
      const id = "f-" + name.replace(/[^a-zA-Z0-9_-]/g, "-");
      const wrapper = el("div", { class: "q", "data-field": q.field, "data-name": name });
      const labelText = this.label(q) + (q.optional ? " (" + gettext("optional") + ")" : "");
      let input;
      if (q.type === "boolean") {
        wrapper.appendChild(el("span", { class: "label", id: id + "-label", text: labelText }));
        input = el("div", { class: "choices", role: "radiogroup", "aria-labelledby": id + "-label" });
        [["true", gettext("Yes")], ["false", gettext("No")]].forEach(([v, text]) => {
          const radio = el("input", { type: "radio", name: name, value: v, checked: String(value) === v });
          input.appendChild(el("label", {}, [radio, document.createTextNode(" " + text)]));
        });
        wrapper.appendChild(input);
      } else {
        wrapper.appendChild(el("label", { for: id, class: "label", text: labelText }));
        if (q.type === "enum" || q.type === "member" || (q.field === "locality" && prefix === "household.")) {
          input = el("select", { id: id, name: name });
          input.appendChild(el("option", { value: "", text: "—" }));
          const options =
            q.type === "enum"
              ? q.options.map((o) => [o.value, this.label(o)])
              : q.type === "member"
              ? []
              : this.o.localities.filter((l) => l.editable).map((l) => [l.siruta, l.name]);
          options.forEach(([v, text]) => input.appendChild(el("option", { value: v, text: text })));
          if (q.type === "member") input.dataset.memberSelect = "1";
          input.dataset.value = value === undefined || value === null ? "" : String(value);
          input.value = input.dataset.value;
        } else {
          const type = q.type === "date" ? "date" : "text";
          input = el("input", {
            id: id,
            name: name,
            type: type,
            inputmode: q.type === "integer" ? "numeric" : q.type === "number" ? "decimal" : undefined,
            maxlength: q.max_length,
            value: value === undefined || value === null ? "" : String(value),
          });
          if (q.field === "village" && prefix === "household.") input.setAttribute("list", "villages");
        }
        wrapper.appendChild(input);
      }
      const help = this.help(q);
      if (help) wrapper.appendChild(el("small", { class: "help", text: help }));
      wrapper.appendChild(el("div", { class: "error", hidden: true }));
      return wrapper;
    }

    addMember(member) {
      const box = el("details", { class: "card member", "data-member": member.ref, open: true });
      const summary = el("summary", {}, [el("span", { class: "member-name" })]);
      box.appendChild(summary);
      this.q.member.forEach((q) => box.appendChild(this.question(q, "m." + member.ref + ".", readNested(member, q.field))));
      const remove = el("button", { type: "button", class: "button secondary small remove-member", text: gettext("Remove this member") });
      remove.addEventListener("click", () => {
        box.remove();
        this.refreshNames();
        this.refresh();
      });
      box.appendChild(remove);
      this.membersBox.appendChild(box);
      return box;
    }

    members() {
      return Array.from(this.membersBox.querySelectorAll("details[data-member]"));
    }

    memberName(box) {
      const prefix = "m." + box.dataset.member + ".";
      const first = box.querySelector('[name="' + CSS.escape(prefix + "first_name") + '"]');
      const last = box.querySelector('[name="' + CSS.escape(prefix + "last_name") + '"]');
      return [first && first.value.trim(), last && last.value.trim()].filter(Boolean).join(" ") || gettext("New member");
    }

    refreshNames() {
      const everyone = this.members().map((box) => ({ ref: box.dataset.member, name: this.memberName(box) }));
      this.members().forEach((box, index) => (box.querySelector(".member-name").textContent = everyone[index].name));
      this.form.querySelectorAll("select[data-member-select]").forEach((select) => {
        const current = select.value || select.dataset.value || "";
        const self = select.name.startsWith("m.") ? select.name.split(".")[1] : "";
        while (select.options.length > 1) select.remove(1);
        everyone.filter((e) => e.ref !== self).forEach((e) => select.add(new Option(e.name, e.ref)));
        select.value = current;
        if (select.value !== current) select.value = "";
        select.dataset.value = select.value;
      });
    }

    // Read the raw answers of one part, typed as the server reads them (text that is not a number stays text).
    read(scope, questions, prefix) {
      const answers = {};
      questions.forEach((q) => {
        const inputs = scope.querySelectorAll('[name="' + CSS.escape(prefix + q.field) + '"]');
        if (!inputs.length) return;
        let text;
        if (inputs[0].type === "radio") {
          const checked = Array.from(inputs).find((i) => i.checked);
          text = checked ? checked.value : "";
        } else {
          text = inputs[0].value.trim();
        }
        if (text === "") return;
        if (q.type === "boolean") answers[q.field] = text === "true";
        else if (q.type === "integer" || q.type === "number") {
          const number = Number(text.replace(/\s/g, "").replace(",", "."));
          answers[q.field] = Number.isFinite(number) ? number : text;
        } else answers[q.field] = text;
      });
      return answers;
    }

    visitDate() {
      const input = this.form.querySelector('[name="assessed_on"]');
      return C.parseDate(input ? input.value : "") || C.parseDate(todayText());
    }

    memberAge(box) {
      const input = box.querySelector('[name="' + CSS.escape("m." + box.dataset.member + ".birth_date") + '"]');
      return C.ageOn(C.parseDate(input ? input.value : ""), this.visitDate());
    }

    show(scope, questions, prefix, applies) {
      questions.forEach((q) => {
        const wrapper = scope.querySelector('.q[data-name="' + CSS.escape(prefix + q.field) + '"]');
        if (!wrapper) return;
        wrapper.hidden = !applies[q.field];
        wrapper.querySelectorAll("input, select").forEach((input) => (input.disabled = !applies[q.field]));
      });
    }

    refresh() {
      const hh = C.withNeutralAnswers(this.q.household, this.read(this.form, this.q.household, "household."), null);
      this.show(this.form, this.q.household, "household.", hh.applies);
      this.members().forEach((box) => {
        const prefix = "m." + box.dataset.member + ".";
        const judged = C.withNeutralAnswers(this.q.member, this.read(box, this.q.member, prefix), this.memberAge(box));
        this.show(box, this.q.member, prefix, judged.applies);
      });
    }

    locate(quiet) {
      if (!("geolocation" in navigator)) return;
      navigator.geolocation.getCurrentPosition(
        (position) => {
          const values = {
            "household.location.lat": position.coords.latitude.toFixed(6),
            "household.location.lon": position.coords.longitude.toFixed(6),
            "household.location.accuracy_m": String(Math.round(position.coords.accuracy)),
          };
          Object.entries(values).forEach(([name, value]) => {
            const input = this.form.querySelector('[name="' + CSS.escape(name) + '"]');
            if (input) input.value = value;
          });
        },
        () => {
          if (!quiet) alert(gettext("The tablet could not tell its position."));
        },
        { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 }
      );
    }

    // Check one part's answers against the question definition; problems are added by field path.
    checkPart(questions, answers, applies, pathPrefix, problems) {
      const add = (path, message) => (problems[path] = problems[path] || []).push(message);
      questions.forEach((q) => {
        const path = pathPrefix + q.field;
        if (!applies[q.field]) return;
        const value = answers[q.field];
        if (value === undefined) {
          if (!q.optional) add(path, gettext("This field is required."));
          return;
        }
        if ((q.type === "integer" || q.type === "number") && typeof value !== "number") {
          add(path, q.type === "integer" ? gettext("The value must be a whole number.") : gettext("The value must be a number."));
          return;
        }
        if (q.type === "integer" && !Number.isInteger(value)) add(path, gettext("The value must be a whole number."));
        if (q.minimum !== undefined && typeof value === "number" && value < q.minimum) {
          add(path, gettext("The value must be at least %(limit)s.").replace("%(limit)s", q.minimum));
        }
        if (q.maximum !== undefined && typeof value === "number" && value > q.maximum) {
          add(path, gettext("The value must be at most %(limit)s.").replace("%(limit)s", q.maximum));
        }
        if (q.max_length && typeof value === "string" && value.length > q.max_length) {
          add(path, gettext("The text must have at most %(limit)s characters.").replace("%(limit)s", q.max_length));
        }
        if (q.type === "date" && !C.parseDate(value)) add(path, gettext("The value must be a real date written as YYYY-MM-DD."));
      });
    }

    // Return {document, problems}: the interchange document, and every problem the server would also find.
    collect() {
      const problems = {};
      const add = (path, message) => (problems[path] = problems[path] || []).push(message);
      const visit = this.read(this.form, this.q.visit, "");
      const allVisit = {};
      this.q.visit.forEach((q) => (allVisit[q.field] = true));
      this.checkPart(this.q.visit, visit, allVisit, "", problems);
      // ISO dates compare as text.
      if (C.parseDate(visit.assessed_on) && visit.assessed_on > todayText()) {
        add("assessed_on", gettext("The visit date cannot be in the future."));
      }
      if (visit.wave !== undefined && !/^T[0-9]{1,2}$/.test(visit.wave)) {
        add("wave", gettext("The wave must be T followed by one or two digits, such as T0 or T1."));
      }

      const hh = C.withNeutralAnswers(this.q.household, this.read(this.form, this.q.household, "household."), null);
      this.checkPart(this.q.household, hh.answers, hh.applies, "household.", problems);
      const household = { ref: this.householdRef };
      Object.entries(hh.answers).forEach(([field, value]) => setNested(household, field, value));
      if (household.location && (household.location.lat === undefined || household.location.lon === undefined)) {
        delete household.location;
      }
      if (household.consent && household.consent.given === undefined) delete household.consent;

      const members = this.members().map((box, index) => {
        const prefix = "m." + box.dataset.member + ".";
        const age = this.memberAge(box);
        const judged = C.withNeutralAnswers(this.q.member, this.read(box, this.q.member, prefix), age);
        this.checkPart(this.q.member, judged.answers, judged.applies, "members[" + index + "].", problems);
        const member = { ref: box.dataset.member };
        Object.entries(judged.answers).forEach(([field, value]) => setNested(member, field, value));
        if (age !== null && age < 0) add("members[" + index + "].birth_date", gettext("The birth date cannot be after the visit."));
        if (age !== null && age > 120) add("members[" + index + "].birth_date", gettext("Nobody is older than 120 years."));
        if (member.cnp && !cnpValid(String(member.cnp))) add("members[" + index + "].cnp", gettext("The CNP is not valid."));
        return member;
      });
      if (!members.length) add("members", gettext("The household must have at least one member."));
      const heads = members.filter((m) => m.relation === "head").length;
      if (members.length && heads !== 1) add("members", gettext("Exactly one member must be the head of the household."));
      const byRef = {};
      members.forEach((m) => (byRef[m.ref] = m));
      members.forEach((m, index) => {
        [["mother_ref", "F"], ["father_ref", "M"]].forEach(([field, sex]) => {
          const parent = m[field] ? byRef[m[field]] : null;
          if (m[field] && (!parent || parent.sex !== sex)) {
            add("members[" + index + "]." + field, sex === "F" ? gettext("The mother must be a woman of this household.") : gettext("The father must be a man of this household."));
          }
        });
      });

      const document = {
        schema_version: "1",
        ref: this.ref,
        wave: visit.wave,
        assessed_on: visit.assessed_on,
        assessed_by: this.o.username,
        household: household,
        members: members,
      };
      return { document: document, problems: problems };
    }

    // Show problems by field path next to their questions, and all of them at the top.
    showProblems(problems) {
      this.form.querySelectorAll(".q .error").forEach((box) => {
        box.hidden = true;
        box.textContent = "";
      });
      this.form.querySelectorAll(".q.invalid").forEach((q) => q.classList.remove("invalid"));
      const refs = this.members().map((box) => box.dataset.member);
      const list = el("ul");
      Object.entries(problems).forEach(([path, messages]) => {
        let name = path;
        const match = /^members\[(\d+)\]\.(.+)$/.exec(path);
        if (match && refs[Number(match[1])]) {
          name = "m." + refs[Number(match[1])] + "." + match[2];
          this.members()[Number(match[1])].open = true;
        }
        const wrapper = this.form.querySelector('.q[data-name="' + CSS.escape(name) + '"]');
        if (wrapper) {
          wrapper.classList.add("invalid");
          const box = wrapper.querySelector(".error");
          box.hidden = false;
          box.textContent = messages.join(" ");
        }
        const label = wrapper ? wrapper.querySelector(".label").textContent : path;
        list.appendChild(el("li", { text: label + ": " + messages.join(" ") }));
      });
      this.problemsBox.replaceChildren(el("p", {}, [el("strong", { text: gettext("Correct the answers marked below.") })]), list);
      this.problemsBox.hidden = Object.keys(problems).length === 0;
      if (!this.problemsBox.hidden) this.problemsBox.scrollIntoView({ block: "start" });
    }
  }

  root.MPSForm = { AssessmentForm: AssessmentForm, newRef: newRef, todayText: todayText, cnpValid: cnpValid };
})(self);

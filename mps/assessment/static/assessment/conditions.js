/*
 * Applicability of the assessment questions, exactly as mps/assessment/questions.py decides it.
 *
 * The conditions come from the one question definition (catalogue/questions-v1.json). Answers are keyed by the
 * question's field path inside its part ("housing.dwelling"); a question that does not apply takes its neutral
 * answer before later questions are judged, as questions._with_neutral_answers does. Ages are full years, a
 * 29 February birthday reached on 1 March, as rules/facts.age_on computes them. A test runs this file under
 * Node against the Python functions, so the two cannot drift apart.
 */
(function (root) {
  "use strict";

  function answerAt(answers, field) {
    return Object.prototype.hasOwnProperty.call(answers, field) ? [true, answers[field]] : [false, undefined];
  }

  function conditionHolds(condition, answers, age) {
    if ("all" in condition) return condition.all.every((part) => conditionHolds(part, answers, age));
    if ("any" in condition) return condition.any.some((part) => conditionHolds(part, answers, age));
    if ("not" in condition) return !conditionHolds(condition.not, answers, age);
    if ("age" in condition) {
      if (age === null || age === undefined) return false;
      const min = "min" in condition.age ? condition.age.min : age;
      const max = "max" in condition.age ? condition.age.max : age;
      return min <= age && age <= max;
    }
    if ("field" in condition) {
      const [present, value] = answerAt(answers, condition.field);
      if ("equals" in condition) return present && value === condition.equals;
      if ("in" in condition) return present && condition.in.includes(value);
      if ("not_in" in condition) return !present || !condition.not_in.includes(value);
    }
    throw new Error("Unknown condition: " + JSON.stringify(condition));
  }

  function parseDate(text) {
    const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    if (!match) return null;
    const parts = [Number(match[1]), Number(match[2]), Number(match[3])];
    const check = new Date(Date.UTC(parts[0], parts[1] - 1, parts[2]));
    if (check.getUTCFullYear() !== parts[0] || check.getUTCMonth() !== parts[1] - 1 || check.getUTCDate() !== parts[2]) {
      return null;
    }
    return parts;
  }

  function ageOn(birth, on) {
    if (!birth || !on) return null;
    const before = on[1] < birth[1] || (on[1] === birth[1] && on[2] < birth[2]);
    return on[0] - birth[0] - (before ? 1 : 0);
  }

  // Judge the questions of one part in order; return the answers with neutral ones filled in and what applies.
  function withNeutralAnswers(questions, answers, age) {
    const result = Object.assign({}, answers);
    const applies = {};
    for (const question of questions) {
      const holds = !question.applies_when || conditionHolds(question.applies_when, result, age);
      applies[question.field] = holds;
      if (holds) continue;
      if ((question.neutral === null || question.neutral === undefined) && question.optional) delete result[question.field];
      else result[question.field] = question.neutral;
    }
    return { answers: result, applies: applies };
  }

  const api = { conditionHolds, parseDate, ageOn, withNeutralAnswers };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.MPSConditions = api;
})(typeof self !== "undefined" ? self : this);

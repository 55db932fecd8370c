/*
 * Client-generated references: version 4 UUIDs for members, assessments and outbox items created on a tablet,
 * the ids the server keeps (docs/decisions/0002). Shared by the web form and the field app.
 * crypto.randomUUID would do, but only in a secure context; getRandomValues works everywhere.
 */
(function (root) {
  "use strict";

  function newRef() {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  root.MPSRefs = { newRef: newRef };
})(typeof self !== "undefined" ? self : this);

/* Passkeys (WebAuthn) as the second factor: add one on this device, or confirm a login with one.
 *
 * The boxes marked data-passkey-register / data-passkey-verify stay hidden unless the browser has WebAuthn.
 * Each names its two JSON endpoints (begin, complete), the CSRF token and the messages it shows, translated
 * on the server; the endpoints are mps/security's wrappers of django-otp-webauthn's views. The byte fields
 * of WebAuthn travel as base64url text, as the server's py_webauthn reads and writes them.
 */
(function () {
  "use strict";

  if (typeof window.PublicKeyCredential !== "function" || !navigator.credentials) {
    return;
  }

  function toBytes(text) {
    var base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    var binary = atob(base64 + "===".slice((base64.length + 3) % 4));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toText(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(descriptors) {
    return (descriptors || []).map(function (descriptor) {
      return Object.assign({}, descriptor, { id: toBytes(descriptor.id) });
    });
  }

  async function create(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      user: Object.assign({}, options.user, { id: toBytes(options.user.id) }),
      excludeCredentials: withIds(options.excludeCredentials),
    });
    var credential = await navigator.credentials.create({ publicKey: publicKey });
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        attestationObject: toText(response.attestationObject),
        transports: response.getTransports ? response.getTransports() : [],
      },
    };
  }

  async function get(options) {
    var publicKey = Object.assign({}, options, {
      challenge: toBytes(options.challenge),
      allowCredentials: withIds(options.allowCredentials),
    });
    var credential = await navigator.credentials.get({ publicKey: publicKey });
    var response = credential.response;
    return {
      id: credential.id,
      rawId: toText(credential.rawId),
      type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || undefined,
      clientExtensionResults: credential.getClientExtensionResults(),
      response: {
        clientDataJSON: toText(response.clientDataJSON),
        authenticatorData: toText(response.authenticatorData),
        signature: toText(response.signature),
        userHandle: response.userHandle ? toText(response.userHandle) : null,
      },
    };
  }

  // A refusal the server explained: its message is shown as it is (already in the user's language).
  function Refusal(detail) {
    this.detail = detail;
  }

  async function post(url, csrfToken, body) {
    var headers = { "X-CSRFToken": csrfToken, Accept: "application/json" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
    }
    var response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    var data = {};
    try {
      data = await response.json();
    } catch (notJson) {
      data = {};
    }
    if (!response.ok) {
      throw new Refusal(data.detail);
    }
    return data;
  }

  function setUp(box, ceremony) {
    var button = box.querySelector("button");
    var status = box.querySelector("[data-passkey-status]");
    box.hidden = false;
    button.addEventListener("click", async function () {
      button.disabled = true;
      status.textContent = box.dataset.busy;
      try {
        var options = await post(box.dataset.beginUrl, box.dataset.csrf);
        var credential = await ceremony(options);
        var done = await post(box.dataset.completeUrl, box.dataset.csrf, credential);
        status.textContent = "";
        window.location.assign(done.redirect_url);
      } catch (error) {
        if (error instanceof Refusal && error.detail) {
          status.textContent = error.detail;
        } else if (error && (error.name === "NotAllowedError" || error.name === "AbortError")) {
          status.textContent = box.dataset.cancelled;
        } else {
          status.textContent = box.dataset.failed;
        }
        button.disabled = false;
        button.focus();
      }
    });
  }

  document.querySelectorAll("[data-passkey-register]").forEach(function (box) {
    setUp(box, create);
  });
  document.querySelectorAll("[data-passkey-verify]").forEach(function (box) {
    setUp(box, get);
  });
})();

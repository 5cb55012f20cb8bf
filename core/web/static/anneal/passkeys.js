// Passkey ceremonies: turn the server's JSON options into navigator.credentials calls and post
// the answer, as JSON, in the form's hidden "credential" input.
(function () {
  "use strict";
  function toBytes(value) {
    var text = value.replace(/-/g, "+").replace(/_/g, "/");
    while (text.length % 4) text += "=";
    var raw = atob(text), bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
    return bytes.buffer;
  }
  function toText(buffer) {
    var bytes = new Uint8Array(buffer), raw = "";
    for (var i = 0; i < bytes.length; i++) raw += String.fromCharCode(bytes[i]);
    return btoa(raw).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }
  function credentialJson(credential) {
    var response = credential.response, out = {
      id: credential.id, rawId: toText(credential.rawId), type: credential.type,
      authenticatorAttachment: credential.authenticatorAttachment || null,
      clientExtensionResults: credential.getClientExtensionResults ? credential.getClientExtensionResults() : {},
      response: {clientDataJSON: toText(response.clientDataJSON)}
    };
    if (response.attestationObject) {
      out.response.attestationObject = toText(response.attestationObject);
      out.response.transports = response.getTransports ? response.getTransports() : [];
    } else {
      out.response.authenticatorData = toText(response.authenticatorData);
      out.response.signature = toText(response.signature);
      out.response.userHandle = response.userHandle ? toText(response.userHandle) : null;
    }
    return JSON.stringify(out);
  }
  function creationOptions(options) {
    options.challenge = toBytes(options.challenge);
    options.user.id = toBytes(options.user.id);
    (options.excludeCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    options.extensions = Object.assign({credProps: true}, options.extensions || {});
    return {publicKey: options};
  }
  function requestOptions(options) {
    options.challenge = toBytes(options.challenge);
    (options.allowCredentials || []).forEach(function (c) { c.id = toBytes(c.id); });
    return {publicKey: options};
  }
  function optionsFor(button, form) {
    var inline = button.getAttribute("data-passkey-get") || button.getAttribute("data-passkey-create");
    if (inline && inline.charAt(0) === "{") return Promise.resolve(JSON.parse(inline));
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    return fetch(button.getAttribute("data-passkey-options"), {
      method: "POST", credentials: "same-origin", headers: {"X-CSRFToken": token ? token.value : ""}
    }).then(function (r) {
      if (!r.ok) throw new Error("The server refused to start the passkey request (HTTP " + r.status + ").");
      return r.json();
    });
  }
  function fail(form, error) {
    var box = form.querySelector("[data-passkey-error]");
    if (!box) return;
    box.textContent = "The passkey was not used: " + (error && error.message ? error.message : error);
    box.setAttribute("role", "alert");  // only once it says something: an empty alert confuses screen readers
    box.hidden = false;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-passkey-get],[data-passkey-create]");
    if (!button) return;
    event.preventDefault();
    var form = button.closest("form"), create = button.hasAttribute("data-passkey-create");
    if (!window.PublicKeyCredential) { fail(form, "this browser does not support passkeys."); return; }
    optionsFor(button, form).then(function (options) {
      return create ? navigator.credentials.create(creationOptions(options))
                    : navigator.credentials.get(requestOptions(options));
    }).then(function (credential) {
      form.querySelector("[data-passkey-credential]").value = credentialJson(credential);
      form.submit();
    }).catch(function (error) { fail(form, error); });
  });
})();

/*
 * Passkeys (WebAuthn) for the portal's forms, without inline script (the CSP allows 'self' only).
 *
 * A form with data-passkey-create="<options JSON>" registers a passkey
 * (navigator.credentials.create); a form with data-passkey-get="<options JSON>" signs or confirms
 * with one (navigator.credentials.get). The options come from the server (py_webauthn's
 * options_to_json: binary values in base64url). On submit the script asks the browser, writes
 * the credential as JSON (binary values in base64url) into the form's hidden "credential" field,
 * and submits the form normally. Elements marked data-passkey-section stay hidden unless this
 * browser supports WebAuthn; data-passkey-unsupported ones are hidden when it does. Without
 * JavaScript nothing here runs, and the SMS code works everywhere.
 */
(function () {
  "use strict";

  function supported() {
    return Boolean(window.PublicKeyCredential && navigator.credentials && window.isSecureContext);
  }

  function fromBase64url(value) {
    var base64 = value.replace(/-/g, "+").replace(/_/g, "/");
    while (base64.length % 4) {
      base64 += "=";
    }
    var binary = atob(base64);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    return bytes.buffer;
  }

  function toBase64url(buffer) {
    var bytes = new Uint8Array(buffer);
    var binary = "";
    for (var i = 0; i < bytes.length; i++) {
      binary += String.fromCharCode(bytes[i]);
    }
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function descriptors(list) {
    return (list || []).map(function (item) {
      var descriptor = { type: item.type, id: fromBase64url(item.id) };
      if (item.transports) {
        descriptor.transports = item.transports;
      }
      return descriptor;
    });
  }

  function creationOptions(json) {
    var options = JSON.parse(json);
    options.challenge = fromBase64url(options.challenge);
    options.user.id = fromBase64url(options.user.id);
    options.excludeCredentials = descriptors(options.excludeCredentials);
    return options;
  }

  function requestOptions(json) {
    var options = JSON.parse(json);
    options.challenge = fromBase64url(options.challenge);
    options.allowCredentials = descriptors(options.allowCredentials);
    return options;
  }

  function common(credential) {
    return {
      id: credential.id,
      rawId: toBase64url(credential.rawId),
      type: credential.type,
      clientExtensionResults: credential.getClientExtensionResults(),
      authenticatorAttachment: credential.authenticatorAttachment || null,
    };
  }

  function registrationJSON(credential) {
    var json = common(credential);
    var response = credential.response;
    json.response = {
      clientDataJSON: toBase64url(response.clientDataJSON),
      attestationObject: toBase64url(response.attestationObject),
      transports: typeof response.getTransports === "function" ? response.getTransports() : [],
    };
    return json;
  }

  function assertionJSON(credential) {
    var json = common(credential);
    var response = credential.response;
    json.response = {
      clientDataJSON: toBase64url(response.clientDataJSON),
      authenticatorData: toBase64url(response.authenticatorData),
      signature: toBase64url(response.signature),
      userHandle: response.userHandle ? toBase64url(response.userHandle) : null,
    };
    return json;
  }

  function showError(form, shown) {
    var error = form.querySelector("[data-passkey-error]");
    if (error) {
      error.hidden = !shown;
    }
  }

  function attach(form, ask) {
    form.addEventListener("submit", function (event) {
      var field = form.querySelector("input[name='credential']");
      if (field.value) {
        return; // filled: this is the real submission
      }
      event.preventDefault();
      if (!form.reportValidity()) {
        return;
      }
      var buttons = form.querySelectorAll("button[type='submit']");
      buttons.forEach(function (button) { button.disabled = true; });
      showError(form, false);
      ask()
        .then(function (json) {
          field.value = JSON.stringify(json);
          form.submit();
        })
        .catch(function () {
          buttons.forEach(function (button) { button.disabled = false; });
          showError(form, true);
        });
    });
  }

  function init() {
    if (!supported()) {
      return;
    }
    document.querySelectorAll("[data-passkey-section]").forEach(function (element) {
      element.hidden = false;
    });
    document.querySelectorAll("[data-passkey-unsupported]").forEach(function (element) {
      element.hidden = true;
    });
    document.querySelectorAll("form[data-passkey-create]").forEach(function (form) {
      attach(form, function () {
        var options = creationOptions(form.dataset.passkeyCreate);
        return navigator.credentials.create({ publicKey: options }).then(registrationJSON);
      });
    });
    document.querySelectorAll("form[data-passkey-get]").forEach(function (form) {
      attach(form, function () {
        var options = requestOptions(form.dataset.passkeyGet);
        return navigator.credentials.get({ publicKey: options }).then(assertionJSON);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

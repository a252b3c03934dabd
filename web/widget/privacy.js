// The shopper's controls: personalization on/off, "what do you know about me", download, forget me.
import { el, nextId } from "./cards.js";

const CONSENT_KEY = "shopmate.consent";

/** A readable rendering of whatever JSON the profile endpoint returns (nested objects and lists). */
export function describe(value, depth = 0) {
  if (value === null || value === undefined || value === "") return el("span", { class: "sm-muted", text: "—" });
  if (Array.isArray(value)) {
    if (!value.length) return el("span", { class: "sm-muted", text: "nothing" });
    if (value.every((v) => typeof v !== "object" || v === null)) return el("span", { text: value.join(", ") });
    return el("ul", { class: "sm-kv-list" }, value.slice(0, 20).map((v) => el("li", {}, describe(v, depth + 1))));
  }
  if (typeof value === "object") {
    const entries = Object.entries(value);
    if (!entries.length) return el("span", { class: "sm-muted", text: "nothing" });
    if (depth > 3) return el("code", { text: JSON.stringify(value) });
    return el("dl", { class: "sm-kv" }, entries.flatMap(([k, v]) => [
      el("dt", { text: k.replace(/_/g, " ") }), el("dd", {}, describe(v, depth + 1))]));
  }
  return el("span", { text: String(value) });
}

export class PrivacyPanel {
  constructor(ctx, root) {
    this.ctx = ctx; // {api, onForgotten()}
    this.build(root);
  }

  build(root) {
    const titleId = nextId("sm-priv-title");
    const toggleId = nextId("sm-priv-toggle");
    const nudgeId = nextId("sm-priv-nudges");
    this.toggle = el("input", { type: "checkbox", role: "switch", id: toggleId, "data-testid": "personalization-toggle" });
    this.nudges = el("input", { type: "checkbox", role: "switch", id: nudgeId, "data-testid": "nudges-toggle" });
    const stored = this.storedConsent();
    this.toggle.checked = stored.personalization;
    this.nudges.checked = stored.nudges;
    this.toggle.addEventListener("change", () => this.saveConsent());
    this.nudges.addEventListener("change", () => this.saveConsent());
    this.status = el("p", { class: "sm-priv-status", role: "status", "data-testid": "privacy-status" });
    this.profileView = el("div", { class: "sm-profile", "data-testid": "profile-view", hidden: true });
    this.confirmBox = el("div", { class: "sm-confirm", hidden: true },
      el("p", { text: "This erases your history, profile and preferences on this shop. It cannot be undone." }),
      el("button", { type: "button", class: "sm-btn sm-btn-danger", "data-testid": "forget-me-confirm",
        text: "Yes, forget me", onclick: () => this.forget() }),
      el("button", { type: "button", class: "sm-btn", text: "Cancel", onclick: () => { this.confirmBox.hidden = true; } }));
    this.dialog = el("section", { class: "sm-privacy", role: "dialog", "aria-labelledby": titleId, hidden: true,
      "data-testid": "privacy-panel" },
    el("div", { class: "sm-chat-head" },
      el("h2", { id: titleId, class: "sm-chat-title", text: "Your data and privacy" }),
      el("button", { type: "button", class: "sm-btn sm-btn-ghost sm-close", "aria-label": "Close privacy settings",
        text: "×", onclick: () => this.close() })),
    el("div", { class: "sm-priv-body" },
      el("div", { class: "sm-switch-row" }, this.toggle, el("label", { for: toggleId, text: "Personalize my results" })),
      el("p", { class: "sm-hint", text: "Off: you see the same results as any anonymous shopper, and your activity is not used to rank them." }),
      el("div", { class: "sm-switch-row" }, this.nudges, el("label", { for: nudgeId, text: "Reminders and offers" })),
      el("div", { class: "sm-priv-actions" },
        el("button", { type: "button", class: "sm-btn", "data-testid": "profile-show", text: "What do you know about me?",
          onclick: () => this.showProfile() }),
        el("button", { type: "button", class: "sm-btn", "data-testid": "export-data", text: "Download my data",
          onclick: () => this.exportData() }),
        el("button", { type: "button", class: "sm-btn sm-btn-danger", "data-testid": "forget-me", text: "Forget me",
          onclick: () => { this.confirmBox.hidden = false; } })),
      this.confirmBox, this.status, this.profileView));
    this.dialog.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.stopPropagation(); this.close(); }
    });
    root.append(this.dialog);
  }

  storedConsent() {
    try {
      return { personalization: true, nudges: true, ...JSON.parse(this.ctx.api.storage.getItem(CONSENT_KEY) || "{}") };
    } catch {
      return { personalization: true, nudges: true };
    }
  }

  async open(opener) {
    this.opener = opener;
    this.dialog.hidden = false;
    this.toggle.focus();
    // The server's consent is the truth; the local copy only avoids a flicker.
    try {
      await this.ctx.api.ensureSession();
      const p = await this.ctx.api.request("/api/me/profile");
      const c = (p && (p.consent || p)) || {};
      if (typeof c.personalization === "boolean") this.toggle.checked = c.personalization;
      if (typeof c.nudges === "boolean") this.nudges.checked = c.nudges;
      this.dialog.dataset.loaded = "true";
    } catch (e) {
      this.fail(`Could not load your settings: ${e.message}`);
    }
  }

  close() {
    this.dialog.hidden = true;
    if (this.opener) this.opener.focus();
  }

  say(text) {
    this.status.classList.remove("sm-error-text");
    this.status.textContent = text;
  }

  fail(text) {
    this.status.classList.add("sm-error-text");
    this.status.textContent = text;
  }

  async saveConsent() {
    const want = { personalization: this.toggle.checked, nudges: this.nudges.checked };
    this.toggle.disabled = this.nudges.disabled = true;
    this.dialog.dataset.saving = "true";
    try {
      await this.ctx.api.ensureSession();
      await this.ctx.api.request("/api/me/consent", { method: "PUT", body: want });
      this.ctx.api.storage.setItem(CONSENT_KEY, JSON.stringify(want));
      this.say(want.personalization ? "Personalization is on." : "Personalization is off: your results are the same as an anonymous shopper's.");
    } catch (e) {
      const before = this.storedConsent(); // what the server last accepted
      this.toggle.checked = before.personalization;
      this.nudges.checked = before.nudges;
      this.fail(`Could not change your settings: ${e.message}`);
    } finally {
      this.toggle.disabled = this.nudges.disabled = false;
      this.dialog.dataset.saving = "false";
    }
  }

  async showProfile() {
    this.profileView.hidden = false;
    this.profileView.replaceChildren(el("p", { class: "sm-loading", text: "Loading…" }));
    try {
      await this.ctx.api.ensureSession();
      const p = await this.ctx.api.request("/api/me/profile");
      this.profileView.replaceChildren(el("h3", { class: "sm-slot-title", text: "What we know about you" }), describe(p));
    } catch (e) {
      this.profileView.replaceChildren();
      this.profileView.hidden = true;
      this.fail(`Could not load your profile: ${e.message}`);
    }
  }

  async exportData() {
    try {
      await this.ctx.api.ensureSession();
      const data = await this.ctx.api.request("/api/me/export");
      const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
      const a = el("a", { href: URL.createObjectURL(blob), download: "shopmate-my-data.json" });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
      this.say("Your data was downloaded as shopmate-my-data.json.");
    } catch (e) {
      this.fail(`Could not export your data: ${e.message}`);
    }
  }

  async forget() {
    try {
      if (this.ctx.api.token) await this.ctx.api.request("/api/me", { method: "DELETE", retryAuth: false });
      this.ctx.api.dropSession();
      this.ctx.api.storage.removeItem(CONSENT_KEY);
      this.toggle.checked = this.nudges.checked = true;
      this.confirmBox.hidden = true;
      this.profileView.hidden = true;
      this.say("Done: everything this shop stored about you has been erased.");
      if (this.ctx.onForgotten) this.ctx.onForgotten();
    } catch (e) {
      this.fail(`Could not erase your data: ${e.message}`);
    }
  }
}

/*
 * The field app's storage on the tablet: IndexedDB, every record encrypted with AES-GCM.
 *
 * The key is derived from the worker's password and a random per-device salt with PBKDF2 (SHA-256, 310,000
 * iterations); it is created non-extractable and lives only in this page's memory, so a reload asks for the
 * password again. What is stored in clear: the salt, the username, the device id and a "verifier" (a known
 * text encrypted with the key, which tells a wrong password from a right one). Everything else (households,
 * people, assessments, the outbox, the device token) is ciphertext. `wipe` deletes the whole database.
 */
(function (root) {
  "use strict";

  const DB_NAME = "mps-field";
  const DB_VERSION = 1;
  const ITERATIONS = 310000;
  const VERIFIER_TEXT = "mps-field-unlocked";

  function request(req) {
    return new Promise((resolve, reject) => {
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function openDb() {
    return new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, DB_VERSION);
      req.onupgradeneeded = () => {
        const db = req.result;
        if (!db.objectStoreNames.contains("meta")) db.createObjectStore("meta");
        if (!db.objectStoreNames.contains("data")) db.createObjectStore("data");
      };
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }

  function toBase64(bytes) {
    let text = "";
    bytes.forEach((byte) => (text += String.fromCharCode(byte)));
    return btoa(text);
  }

  function fromBase64(text) {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  }

  class Store {
    constructor() {
      this.db = null;
      this.key = null;
    }

    async open() {
      if (!this.db) this.db = await openDb();
      return this;
    }

    async _get(storeName, key) {
      const tx = this.db.transaction(storeName, "readonly");
      return request(tx.objectStore(storeName).get(key));
    }

    async _put(storeName, key, value) {
      const tx = this.db.transaction(storeName, "readwrite");
      tx.objectStore(storeName).put(value, key);
      return new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error);
      });
    }

    async meta() {
      return (await this._get("meta", "meta")) || null;
    }

    get unlocked() {
      return this.key !== null;
    }

    static async deriveKey(password, salt) {
      const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(password), "PBKDF2", false, [
        "deriveKey",
      ]);
      return crypto.subtle.deriveKey(
        { name: "PBKDF2", salt: salt, iterations: ITERATIONS, hash: "SHA-256" },
        material,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"]
      );
    }

    async _encrypt(value) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const plain = new TextEncoder().encode(JSON.stringify(value));
      const cipher = await crypto.subtle.encrypt({ name: "AES-GCM", iv: iv }, this.key, plain);
      return { iv: iv, data: new Uint8Array(cipher) };
    }

    async _decrypt(record) {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: record.iv }, this.key, record.data);
      return JSON.parse(new TextDecoder().decode(plain));
    }

    // First use on this device: a new salt, the key from the password, and the verifier.
    async create(password, username, deviceId) {
      const salt = crypto.getRandomValues(new Uint8Array(16));
      this.key = await Store.deriveKey(password, salt);
      const verifier = await this._encrypt(VERIFIER_TEXT);
      await this._put("meta", "meta", { salt: toBase64(salt), username: username, deviceId: deviceId, verifier: verifier });
    }

    // Later uses: derive the key again and check it against the verifier; false for a wrong password.
    async unlock(password) {
      const meta = await this.meta();
      if (!meta) return false;
      const key = await Store.deriveKey(password, fromBase64(meta.salt));
      const previous = this.key;
      this.key = key;
      try {
        if ((await this._decrypt(meta.verifier)) === VERIFIER_TEXT) return true;
      } catch (error) {
        // A wrong password gives a key that fails GCM's authentication.
      }
      this.key = previous;
      return false;
    }

    lock() {
      this.key = null;
    }

    async get(name, fallback) {
      const record = await this._get("data", name);
      if (!record) return fallback;
      return this._decrypt(record);
    }

    async put(name, value) {
      if (!this.key) throw new Error("The store is locked.");
      await this._put("data", name, await this._encrypt(value));
    }

    async wipe() {
      this.key = null;
      if (this.db) {
        this.db.close();
        this.db = null;
      }
      await request(indexedDB.deleteDatabase(DB_NAME)).catch(() => undefined);
    }
  }

  root.MPSStore = Store;
})(self);

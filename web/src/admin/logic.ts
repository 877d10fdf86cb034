// Pure admin logic: form validation, change sets for PUT, health labels, the session token.

import { ApiError } from "../api/client";
import type {
  AdminMerchant,
  AdminMilestone,
  MerchantCreate,
  MerchantUpdate,
  MilestoneCreate,
  MilestoneType,
  MilestoneUpdate,
} from "../api/types";
import {
  isKeyedSource,
  type SourceFormFields,
  sourceChanges,
  sourceCreateBody,
  sourceFieldsOf,
  validateSource,
} from "./source-logic";

export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** A PayWithFlash merchant's four fields, and a BTCPay or LNbits merchant's settings (source-logic.ts). */
export interface MerchantForm extends SourceFormFields {
  id: string;
  alias: string;
  public_key: string;
  enabled: boolean;
}

export type FormErrors<T> = Partial<Record<keyof T, string>>;

export function emptyMerchantForm(): MerchantForm {
  return { id: "", alias: "", public_key: "", enabled: true, source: "pwf" };
}

export function merchantToForm(m: AdminMerchant): MerchantForm {
  return { id: m.id, alias: m.alias, public_key: m.public_key, enabled: m.enabled, ...sourceFieldsOf(m) };
}

export function validateMerchant(form: MerchantForm): FormErrors<MerchantForm> {
  const errors: FormErrors<MerchantForm> = {};
  const id = form.id.trim();
  if (!id) errors.id = "Merchant ID is required.";
  else if (!MERCHANT_ID_PATTERN.test(id)) errors.id = "Use 1–64 letters, digits, “_” or “-” (no spaces).";
  if (isKeyedSource(form.source)) Object.assign(errors, validateSource(form));
  else if (!form.public_key.trim()) errors.public_key = "Public key is required.";
  if (!form.alias.trim()) errors.alias = "Alias is required.";
  else if (form.alias.trim().length > 100) errors.alias = "Keep the alias under 100 characters.";
  return errors;
}

export function merchantCreateBody(form: MerchantForm): MerchantCreate {
  if (isKeyedSource(form.source)) return sourceCreateBody(form);
  return {
    id: form.id.trim(),
    public_key: form.public_key.trim(),
    alias: form.alias.trim(),
    enabled: form.enabled,
  };
}

/** Only the fields that changed, for PUT /v1/admin/merchants/{id}. */
export function merchantChanges(original: AdminMerchant, form: MerchantForm): MerchantUpdate {
  const changes: MerchantUpdate = {};
  if (form.alias.trim() !== original.alias) changes.alias = form.alias.trim();
  if (form.enabled !== original.enabled) changes.enabled = form.enabled;
  // A BTCPay or LNbits merchant's public_key is derived from its settings by the server.
  if (isKeyedSource(form.source)) return { ...changes, ...sourceChanges(original, form) };
  if (form.public_key.trim() !== original.public_key) changes.public_key = form.public_key.trim();
  return changes;
}

export interface Health {
  kind: "ok" | "failing" | "paused" | "pending";
  label: string;
}

export function merchantHealth(
  m: Pick<AdminMerchant, "enabled" | "consecutive_failures" | "last_polled_at">,
): Health {
  if (!m.enabled) return { kind: "paused", label: "Paused" };
  if (m.consecutive_failures > 0) return { kind: "failing", label: `Failing ×${m.consecutive_failures}` };
  if (!m.last_polled_at) return { kind: "pending", label: "Not polled yet" };
  return { kind: "ok", label: "OK" };
}

export interface MilestoneForm {
  name: string;
  type: MilestoneType;
  threshold: string;
  enabled: boolean;
}

export function emptyMilestoneForm(): MilestoneForm {
  return { name: "", type: "volume", threshold: "", enabled: true };
}

export function milestoneToForm(m: AdminMilestone): MilestoneForm {
  return { name: m.name, type: m.type, threshold: String(m.threshold), enabled: m.enabled };
}

/** "1,000,000", "1 000 000", "1_000_000" → 1000000; anything but a positive whole number → null. */
export function parseThreshold(text: string): number | null {
  const cleaned = text.trim().replace(/[\s,_]/g, "");
  if (!/^\d+$/.test(cleaned)) return null;
  const n = Number(cleaned);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

export function validateMilestone(form: MilestoneForm): FormErrors<MilestoneForm> {
  const errors: FormErrors<MilestoneForm> = {};
  if (!form.name.trim()) errors.name = "Name is required.";
  else if (form.name.trim().length > 100) errors.name = "Keep the name under 100 characters.";
  if (form.type !== "transactions" && form.type !== "volume") errors.type = "Choose transactions or volume.";
  if (!form.threshold.trim()) errors.threshold = "Threshold is required.";
  else if (parseThreshold(form.threshold) === null) errors.threshold = "Enter a whole number above zero.";
  return errors;
}

export function milestoneCreateBody(form: MilestoneForm): MilestoneCreate {
  return {
    name: form.name.trim(),
    type: form.type,
    threshold: parseThreshold(form.threshold) ?? 0,
    enabled: form.enabled,
  };
}

export function milestoneChanges(original: AdminMilestone, form: MilestoneForm): MilestoneUpdate {
  const changes: MilestoneUpdate = {};
  if (form.name.trim() !== original.name) changes.name = form.name.trim();
  if (form.type !== original.type) changes.type = form.type;
  const threshold = parseThreshold(form.threshold);
  if (threshold !== null && threshold !== original.threshold) changes.threshold = threshold;
  if (form.enabled !== original.enabled) changes.enabled = form.enabled;
  return changes;
}

export function hasErrors<T>(errors: FormErrors<T>): boolean {
  return Object.values(errors).some(Boolean);
}

/** Plain words for a failed admin request. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isNetwork) return `${err.message}. Check the network and try again.`;
    if (err.isRateLimited) return "Too many attempts — wait a minute, then try again.";
    if (err.status >= 500) return `The server failed (${err.status}): ${err.message}`;
    return err.message;
  }
  return err instanceof Error ? err.message : "Something went wrong.";
}

/** The message the login form shows for a failed login. */
export function loginErrorMessage(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.isUnauthorized) return "That token is not valid.";
    if (err.isRateLimited) return "Too many attempts — wait a minute, then try again.";
  }
  return describeError(err);
}

// ---- session token: sessionStorage only ----

export const TOKEN_KEY = "pos-dashboard.admin-token";

type StorageLike = Pick<Storage, "getItem" | "setItem" | "removeItem">;

function storage(): StorageLike | null {
  try {
    return typeof sessionStorage === "undefined" ? null : sessionStorage;
  } catch {
    return null; // storage disabled by the browser
  }
}

export function loadToken(store: StorageLike | null = storage()): string | null {
  try {
    return store?.getItem(TOKEN_KEY) || null;
  } catch {
    return null;
  }
}

export function saveToken(token: string, store: StorageLike | null = storage()): void {
  try {
    store?.setItem(TOKEN_KEY, token);
  } catch {
    // private mode: the session lasts as long as the page
  }
}

export function clearToken(store: StorageLike | null = storage()): void {
  try {
    store?.removeItem(TOKEN_KEY);
  } catch {
    // ignore
  }
}

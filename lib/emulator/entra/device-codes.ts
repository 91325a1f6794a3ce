/**
 * Pending device-code sign-ins (RFC 8628): created by `/oauth2/v2.0/devicecode`, approved by a test
 * through `/_emulator/devicecode/approve` (or at once with `autoApproveDeviceCode`), polled by the
 * client until approved, declined or expired. A code is redeemed once.
 */
import { randomBytes } from 'node:crypto';

export interface DeviceCodeRequest {
  clientId: string;
  tenantId: string;
  scopes: readonly string[];
}

interface PendingDeviceCode extends DeviceCodeRequest {
  deviceCode: string;
  userCode: string;
  expiresAt: number;
  state: 'pending' | 'approved' | 'declined';
}

export type DevicePoll =
  | { status: 'approved'; request: DeviceCodeRequest }
  | { status: 'pending' | 'declined' | 'expired' | 'unknown' };

/** Letters and digits a person cannot confuse, as Entra's codes use. */
const USER_CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function userCode(): string {
  return Array.from(
    randomBytes(9),
    (byte) => USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length],
  ).join('');
}

export class DeviceCodeStore {
  private byDeviceCode = new Map<string, PendingDeviceCode>();

  create(
    request: DeviceCodeRequest,
    nowMs: number,
    lifetimeSeconds: number,
    approved: boolean,
  ): PendingDeviceCode {
    this.prune(nowMs);
    const pending: PendingDeviceCode = {
      ...request,
      deviceCode: `DAQABAAEAAAD${randomBytes(48).toString('base64url')}`,
      userCode: userCode(),
      expiresAt: nowMs + lifetimeSeconds * 1000,
      state: approved ? 'approved' : 'pending',
    };
    this.byDeviceCode.set(pending.deviceCode, pending);
    return pending;
  }

  /**
   * Approves (or declines) the pending code with this user code, or every pending code; returns how
   * many.
   */
  settle(decision: 'approved' | 'declined', code?: string): number {
    let settled = 0;
    for (const pending of this.byDeviceCode.values()) {
      if (pending.state !== 'pending') continue;
      if (code !== undefined && pending.userCode !== code.toUpperCase()) continue;
      pending.state = decision;
      settled++;
    }
    return settled;
  }

  pendingUserCodes(): string[] {
    return [...this.byDeviceCode.values()]
      .filter((pending) => pending.state === 'pending')
      .map((pending) => pending.userCode);
  }

  poll(deviceCode: string, nowMs: number): DevicePoll {
    const pending = this.byDeviceCode.get(deviceCode);
    if (!pending) return { status: 'unknown' };
    if (pending.expiresAt <= nowMs) {
      this.byDeviceCode.delete(deviceCode);
      return { status: 'expired' };
    }
    if (pending.state === 'pending') return { status: 'pending' };
    this.byDeviceCode.delete(deviceCode);
    if (pending.state === 'declined') return { status: 'declined' };
    return {
      status: 'approved',
      request: { clientId: pending.clientId, tenantId: pending.tenantId, scopes: pending.scopes },
    };
  }

  private prune(nowMs: number): void {
    for (const [code, pending] of this.byDeviceCode)
      if (pending.expiresAt <= nowMs) this.byDeviceCode.delete(code);
  }
}

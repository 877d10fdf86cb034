import { randomBytes } from "node:crypto";
import { hostname } from "node:os";

/**
 * This process's name among the instances: the owner of its poll leases and the origin of its
 * notifications. Host and pid tell an operator which process it is; the random part keeps a restarted
 * process apart from the one it replaces (a container's pid is 1 every time), whose leases must lapse,
 * not pass to it as if it had been polling them.
 */
export function newInstanceId(): string {
  const host = hostname()
    .replace(/[^A-Za-z0-9.-]/g, "_")
    .slice(0, 32);
  return `${host}-${process.pid}-${randomBytes(4).toString("hex")}`;
}

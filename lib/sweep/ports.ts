import type { Ledger } from '../ledger/ledger';

/**
 * The part of the ledger each sweep phase owns. A phase's input names its port, not
 * `Ledger`, so it cannot call what another phase owns: only execute claims, only
 * reconcile marks interruptions, only limit reserves the hourly allowance.
 */

/** Reconcile: finds attempts left in flight and marks the interrupted ones. */
export type ReconcilePort = Pick<Ledger, 'inFlight' | 'markInterrupted'>;

/** Recovery tracking: what became of earlier reruns (absent when the ledger does not track it). */
export type RecoveryPort = Pick<Ledger, 'recovery'>;

/** Plan: reads the entries that decide each failure, and tracks recovery before any claim. */
export type ReadPort = Pick<Ledger, 'read' | 'attemptedKeys'> & RecoveryPort;

/** Incidents: the target's incident board, and the entries of canaries and their candidates. */
export type IncidentsPort = Pick<Ledger, 'incidents' | 'read'>;

/** Limit: this hour's count and the reservation of restarts from it. */
export type HourlyPort = Pick<Ledger, 'hourlyCount' | 'reserveHourly'>;

/** Limit and execute, as owners: give back reserved hourly slots that were not used. */
export type HourlyReturnPort = Pick<Ledger, 'releaseHourly'>;

/** Exhausted: marks a budget as reported exhausted, once. */
export type ExhaustedPort = Pick<Ledger, 'markExhausted'>;

/** Execute: an attempt's claim, and its owner's settle or release. */
export type AttemptsPort = Pick<Ledger, 'claim' | 'settle' | 'release'>;

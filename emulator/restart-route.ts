/**
 * The restart route (`POST /v1/{project_id}/jobs/{job_name}/instances/{instance_id}/restart`):
 * accepts a rerun of a finished instance (204) and books it against the failure it answered.
 */
import type { FaultInjector } from './faults';
import type { Fault } from './options';
import type { Call, Responder } from './respond';
import type { RestartLog } from './restart-log';
import type { EmulatedInstance, EmulatorState } from './state';

/** What a test may change while the emulator runs (EmulatorOptions' defaults at start). */
export interface RestartSettings {
  restartLagMs: number;
  acceptRunningRestart: boolean;
}

export interface RestartRoute {
  out: Responder;
  faults: FaultInjector;
  state: EmulatorState;
  settings: RestartSettings;
  restartLog: RestartLog;
}

export function serveRestart(
  call: Call,
  route: RestartRoute,
  instance: EmulatedInstance,
  fault: Fault | undefined,
  now: number,
): void {
  const { out } = route;
  // A client that hung up while the request waited is not served (like a gateway).
  if (call.req.socket.destroyed) {
    call.record.status = -3;
    return;
  }
  if (fault?.kind === 'status-changed') {
    instance.status = 'running';
    instance.startTime = now;
  }
  if (instance.instanceType === 2) {
    out.error(call, 400, 'DLF.EMU2', 'Manually scheduled instances cannot be rerun (EMU).');
    return;
  }
  if (!allowsRestart(instance, route.settings.acceptRunningRestart)) {
    out.error(call, 400, 'DLF.EMU3', `Instance status ${instance.status} does not allow rerun (EMU).`);
    return;
  }
  // While a rerun is pending the instance still shows its failure, so a second
  // restart is accepted too: it answers the same failure and is booked as such.
  route.restartLog.record(instance, now);
  route.state.acceptRestart(instance, now, route.settings.restartLagMs);
  if (fault && route.faults.afterProcessing(fault) && route.faults.answer(call, fault)) return;
  out.send(call, 204);
}

/**
 * Documented: only success, fail and manual-stop may be rerun. A lenient server also
 * takes running and waiting ones, to count what a careless client would cause.
 */
function allowsRestart(instance: EmulatedInstance, acceptRunning: boolean): boolean {
  if (['success', 'fail', 'manual-stop'].includes(instance.status)) return true;
  return acceptRunning && ['running', 'waiting'].includes(instance.status);
}

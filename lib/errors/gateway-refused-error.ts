import { DataArtsError } from './dataarts-error';

/**
 * A systemic refusal: the request never reached (or never could reach) the instance.
 * `404 APIGW.0101` (route not published, wrong host), `400 APIGW.0106` (required
 * header missing), any other gateway 4xx. It says nothing about the instance: the
 * attempt is released and the target stops.
 */
export class GatewayRefusedError extends DataArtsError {
  override readonly name = 'GatewayRefusedError';
}

/**
 * Errors the cloud services raise for requests they refuse, named after AWS IoT's exceptions so
 * an AWS user recognises them; the HTTP API maps `status` to the response code.
 */
export type CloudErrorCode =
  | 'InvalidRequestException'
  | 'ResourceNotFoundException'
  | 'ResourceAlreadyExistsException'
  | 'VersionConflictException'
  | 'DeleteConflictException'
  | 'UnauthorizedException';

const statusOf: Record<CloudErrorCode, number> = {
  InvalidRequestException: 400,
  UnauthorizedException: 401,
  ResourceNotFoundException: 404,
  ResourceAlreadyExistsException: 409,
  VersionConflictException: 409,
  DeleteConflictException: 409,
};

export class CloudError extends Error {
  readonly status: number;
  constructor(
    readonly code: CloudErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CloudError';
    this.status = statusOf[code];
  }
}

export const notFound = (what: string) => new CloudError('ResourceNotFoundException', `${what} does not exist`);
export const alreadyExists = (what: string) => new CloudError('ResourceAlreadyExistsException', `${what} already exists`);
export const invalid = (message: string) => new CloudError('InvalidRequestException', message);

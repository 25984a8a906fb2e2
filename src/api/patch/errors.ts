/**
 * The errors a PATCH request can fail with, coded and worded as upstream's patch handler answers:
 * a patch that cannot be decoded is a 400 BadRequest carrying the decoder's message; a JSON patch
 * that decodes but cannot be applied is upstream's generic 422, whose message does not say why (the
 * reason is kept on `cause` for logs).
 */
import { ApiError, apiErrors } from '../errors.js';

/** Upstream's cap on the operations of one JSON patch. */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** The message upstream sends with every inapplicable JSON patch. */
export const PATCH_REJECTED_MESSAGE = 'the server rejected our request due to an error in our request';

/** Constructors for the errors patching answers with. */
export const patchErrors = {
  /** 400: the patch is malformed; `message` is shown to the user as is. */
  badRequest: (message: string): ApiError => apiErrors.badRequest(message),

  /**
   * 422 Invalid with upstream's generic message (and empty details). `cause` is the precise reason,
   * kept on the error for logs; upstream does not send it either.
   */
  rejected: (cause: string): ApiError => {
    const err = new ApiError(422, 'Invalid', PATCH_REJECTED_MESSAGE, {});
    err.cause = cause;
    return err;
  },

  /** 413 for a JSON patch with more than {@link MAX_JSON_PATCH_OPERATIONS} operations. */
  tooManyOperations: (count: number): ApiError =>
    new ApiError(
      413,
      'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${count}`,
    ),
};

import { Injectable } from '@nestjs/common';
import type { OperationObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/** A route served outside Nest's controllers (a plain Fastify route), described for the OpenAPI document. */
export interface OpenApiOperation {
  readonly path: string;
  readonly method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Its 2xx responses, parameters and request body; the error responses come from `errors`. */
  readonly operation: OperationObject;
  /** The error statuses it answers, each with the shared error body (`ErrorBody`, 422 `ValidationErrorBody`). */
  readonly errors: readonly ('400' | '401' | '403' | '404' | '409' | '413' | '415' | '422')[];
  /** Schemas its operation references as `#/components/schemas/<name>`. */
  readonly schemas?: Readonly<Record<string, SchemaObject>>;
}

/**
 * The operations of routes SwaggerModule cannot see (mounted on Fastify beside Nest): a service adds them while its
 * providers are created, and createHttpApp puts them into the document, so the document lists every route served.
 */
@Injectable()
export class OpenApiOperations {
  private readonly operations: OpenApiOperation[] = [];

  add(...operations: OpenApiOperation[]): void {
    this.operations.push(...operations);
  }

  all(): readonly OpenApiOperation[] {
    return this.operations;
  }
}

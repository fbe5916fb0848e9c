/**
 * Everything that crosses NATS between Scanflow and its workers (docs/protocol.md): subjects,
 * the worker-id rule and the message records. The service, the reference worker and the
 * tests' worker all use this package; nothing else spells a subject or a field name. Plain
 * Java and Jackson annotations only: the worker artifact ships it without the service.
 */
package dev.scanflow.protocol;

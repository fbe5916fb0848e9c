package dev.scanflow.engine;

/**
 * A CDI event: worker capacity may have appeared (a step freed its slot, a worker came online
 * or was resumed), so steps waiting for a worker should be dispatched now rather than on the
 * next sweep. Fired by the engine and by the fleet; observed by {@link DispatchPasses}.
 */
public record CapacityFreed(String why) {
}

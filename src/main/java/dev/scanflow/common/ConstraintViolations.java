package dev.scanflow.common;

/** Recognizes PostgreSQL constraint violations (unique 23505, foreign key 23503) wherever they are wrapped. */
public final class ConstraintViolations {

    private ConstraintViolations() {
    }

    public static boolean isUniqueViolation(Throwable error) {
        return hasState(error, "23505");
    }

    public static boolean isForeignKeyViolation(Throwable error) {
        return hasState(error, "23503");
    }

    private static boolean hasState(Throwable error, String state) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof io.vertx.pgclient.PgException pg && state.equals(pg.getSqlState())) {
                return true;
            }
            if (t instanceof org.hibernate.exception.ConstraintViolationException cve
                    && state.equals(cve.getSQLState())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}

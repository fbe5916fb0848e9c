package dev.scanflow.agent;

import dev.scanflow.protocol.CredentialReply.Credential;
import dev.scanflow.protocol.ScanCommand;
import java.util.List;

/** Where a tool run gets the values of the credentials its command references. */
interface CredentialSource {

    /** The values of every credential the command references; none fails the whole step. */
    List<Credential> fetch(ScanCommand command) throws CredentialsUnavailable;
}

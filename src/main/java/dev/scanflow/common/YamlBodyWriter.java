package dev.scanflow.common;

import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

/** Writes any response body as YAML when the client asks for application/yaml. */
@Provider
@Produces({DocumentReader.YAML, DocumentReader.X_YAML, DocumentReader.TEXT_YAML, DocumentReader.TEXT_X_YAML})
public class YamlBodyWriter implements MessageBodyWriter<Object> {

    private final DocumentReader documents;
    private final com.fasterxml.jackson.databind.ObjectMapper mapper;

    public YamlBodyWriter(DocumentReader documents, com.fasterxml.jackson.databind.ObjectMapper json) {
        this.documents = documents;
        // the YAML mapper shares the JSON mapper's naming and date settings
        this.mapper = documents.yamlWriter().copy()
                .setPropertyNamingStrategy(json.getPropertyNamingStrategy())
                .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
                .disable(com.fasterxml.jackson.databind.SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return DocumentReader.isYaml(mediaType.toString());
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
            MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        mapper.writeValue(out, value);
    }
}

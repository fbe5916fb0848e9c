package dev.scanflow.agent;

import dev.scanflow.protocol.Finding;
import dev.scanflow.protocol.Finding.Location;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

/**
 * nmap's XML output ({@code -oX}). Each open port is a finding (severity info); the output
 * carries {@code open_ports} (numbers) and {@code open_port_count}, {@code services} (port, protocol,
 * service, product, version, tunnel), {@code hosts}, and the ports that speak TLS
 * ({@code tls_ports}, {@code tls_port_count} and the first as {@code tls_port}: nmap's service
 * detection saw an SSL tunnel, the ssl-cert script read a certificate, or the service is a TLS
 * one such as https), and what NSE vulnerability scripts reported VULNERABLE (each a high
 * finding, in {@code vulnerabilities}), so a later step can
 * test e.g. {@code 443 in steps.ports.output.open_ports} or {@code output.tls_port_count > 0}.
 * The findings are {@code network} records on host, port and protocol: rule {@code open-port}
 * for a port, the script's id for a vulnerability (with the CVE ids its output names).
 */
public final class NmapXmlParser implements ResultParser {

    static final Set<String> TLS_SERVICES = Set.of("https", "https-alt", "ssl", "imaps", "pop3s",
            "smtps", "submissions", "ldaps", "ftps", "ircs", "xmpps");

    private final String tool;

    public NmapXmlParser() {
        this(null);
    }

    /** @param tool the findings' tool (null: nmap) */
    public NmapXmlParser(String tool) {
        this.tool = tool == null ? "nmap" : tool;
    }

    @Override
    public ScanReport parse(Path file) throws IOException {
        Document doc = read(file);
        List<Integer> openPorts = new ArrayList<>();
        List<Map<String, Object>> services = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        List<Integer> tlsPorts = new ArrayList<>();
        List<Map<String, Object>> vulnerabilities = new ArrayList<>();
        Severities severities = new Severities();
        List<Finding> findings = new ArrayList<>();
        NodeList hostNodes = doc.getElementsByTagName("host");
        for (int h = 0; h < hostNodes.getLength(); h++) {
            Element host = (Element) hostNodes.item(h);
            NodeList addresses = host.getElementsByTagName("address");
            String address = addresses.getLength() > 0 ? ((Element) addresses.item(0)).getAttribute("addr") : "";
            hosts.add(address);
            NodeList ports = host.getElementsByTagName("port");
            for (int p = 0; p < ports.getLength(); p++) {
                Element port = (Element) ports.item(p);
                Element state = child(port, "state");
                if (state == null || !"open".equals(state.getAttribute("state"))) {
                    continue;
                }
                int number = Integer.parseInt(port.getAttribute("portid"));
                if (!openPorts.contains(number)) {
                    openPorts.add(number);
                }
                String protocol = port.getAttribute("protocol");
                Location where = Location.network(address, number, protocol.isEmpty() ? null : protocol);
                Map<String, Object> service = new LinkedHashMap<>();
                service.put("host", address);
                service.put("port", number);
                service.put("protocol", protocol);
                Element svc = child(port, "service");
                if (svc != null) {
                    service.put("service", svc.getAttribute("name"));
                    putIfPresent(service, "product", svc.getAttribute("product"));
                    putIfPresent(service, "version", svc.getAttribute("version"));
                    putIfPresent(service, "tunnel", svc.getAttribute("tunnel"));
                    if (("ssl".equals(svc.getAttribute("tunnel")) || TLS_SERVICES.contains(svc.getAttribute("name")))
                            && !tlsPorts.contains(number)) {
                        tlsPorts.add(number);
                    }
                }
                NodeList scripts = port.getElementsByTagName("script");
                for (int k = 0; k < scripts.getLength(); k++) {
                    Element script = (Element) scripts.item(k);
                    String id = script.getAttribute("id");
                    String text = script.getAttribute("output");
                    if (id.equals("ssl-cert") && !tlsPorts.contains(number)) {
                        tlsPorts.add(number); // a certificate was read: the port speaks TLS
                    }
                    // NSE vuln scripts say "State: VULNERABLE" (or "LIKELY VULNERABLE")
                    if (text.contains("VULNERABLE") && !text.contains("NOT VULNERABLE")) {
                        Map<String, Object> v = new LinkedHashMap<>();
                        v.put("host", address);
                        v.put("port", number);
                        v.put("script", id);
                        v.put("output", text.length() > 500 ? text.substring(0, 500) : text);
                        vulnerabilities.add(v);
                        severities.add("high");
                        findings.add(vulnerability(where, id, text, script));
                    }
                }
                services.add(service);
                severities.add("info");
                findings.add(Findings.of(tool, "open-port", "Open port " + number + "/" + protocol
                        + (service.containsKey("service") ? " (" + service.get("service") + ")" : ""), "info", "network",
                        where, List.of(), null, describe(service), Findings.raw(service)));
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("open_ports", openPorts);
        output.put("open_port_count", openPorts.size());
        output.put("services", services);
        output.put("hosts", hosts);
        output.put("tls_ports", tlsPorts);
        output.put("tls_port_count", tlsPorts.size());
        if (!tlsPorts.isEmpty()) {
            output.put("tls_port", tlsPorts.get(0));
        }
        output.put("vulnerabilities", vulnerabilities);
        return new ScanReport(findings.size(), severities.counts(), output, findings);
    }

    /** {@code 18443/tcp open on 127.0.0.1: http OpenSSL s_server (ssl tunnel)}. */
    private static String describe(Map<String, Object> service) {
        StringBuilder s = new StringBuilder(service.get("port") + "/" + service.get("protocol") + " open on "
                + service.get("host"));
        if (service.containsKey("service")) {
            s.append(": ").append(service.get("service"));
        }
        for (String key : List.of("product", "version")) {
            if (service.containsKey(key)) {
                s.append(' ').append(service.get(key));
            }
        }
        if (service.containsKey("tunnel")) {
            s.append(" (").append(service.get("tunnel")).append(" tunnel)");
        }
        return s.toString();
    }

    /** An NSE script's VULNERABLE report: titled by the line after "VULNERABLE:", its CVE ids from the output and tables. */
    private Finding vulnerability(Location where, String scriptId, String output, Element script) {
        String title = null;
        List<String> lines = output.lines().map(String::strip).filter(l -> !l.isEmpty()).toList();
        for (int i = 0; i < lines.size() - 1 && title == null; i++) {
            if (lines.get(i).endsWith("VULNERABLE:")) {
                title = lines.get(i + 1);
            }
        }
        Findings.References refs = new Findings.References().add(output);
        NodeList keyed = script.getElementsByTagName("*");
        for (int i = 0; i < keyed.getLength(); i++) {
            Element e = (Element) keyed.item(i);
            refs.add(e.getAttribute("key")).add(e.getTextContent());
        }
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("host", where.host());
        raw.put("port", where.port());
        raw.put("protocol", where.protocol());
        raw.put("script", scriptId);
        raw.put("output", output);
        return Findings.of(tool, scriptId, title != null ? title : scriptId + " reports VULNERABLE", "high", "network",
                where, refs.list(), null, output.strip(), Findings.raw(raw));
    }

    private static Document read(Path file) throws IOException {
        try {
            DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
            // nmap writes a DOCTYPE; never fetch or expand anything external
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setFeature("http://xml.org/sax/features/external-general-entities", false);
            factory.setFeature("http://xml.org/sax/features/external-parameter-entities", false);
            factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            factory.setXIncludeAware(false);
            factory.setExpandEntityReferences(false);
            DocumentBuilder builder = factory.newDocumentBuilder();
            return builder.parse(file.toFile());
        } catch (ParserConfigurationException | SAXException e) {
            throw new IOException("not nmap XML: " + e.getMessage(), e);
        }
    }

    private static Element child(Element parent, String name) {
        NodeList list = parent.getElementsByTagName(name);
        return list.getLength() == 0 ? null : (Element) list.item(0);
    }

    private static void putIfPresent(Map<String, Object> map, String key, String value) {
        if (value != null && !value.isEmpty()) {
            map.put(key, value);
        }
    }
}

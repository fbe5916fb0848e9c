package dev.scanflow.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
 * carries {@code open_ports} (numbers), {@code services} (port, protocol, service, product,
 * version, tunnel) and {@code hosts}, so a later step can test e.g. {@code 443 in steps.ports.output.open_ports}.
 */
public final class NmapXmlParser implements ResultParser {

    @Override
    public ScanReport parse(Path file) throws IOException {
        Document doc = read(file);
        List<Integer> openPorts = new ArrayList<>();
        List<Map<String, Object>> services = new ArrayList<>();
        List<String> hosts = new ArrayList<>();
        Severities severities = new Severities();
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
                Map<String, Object> service = new LinkedHashMap<>();
                service.put("host", address);
                service.put("port", number);
                service.put("protocol", port.getAttribute("protocol"));
                Element svc = child(port, "service");
                if (svc != null) {
                    service.put("service", svc.getAttribute("name"));
                    putIfPresent(service, "product", svc.getAttribute("product"));
                    putIfPresent(service, "version", svc.getAttribute("version"));
                    putIfPresent(service, "tunnel", svc.getAttribute("tunnel"));
                }
                services.add(service);
                severities.add("info");
            }
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("open_ports", openPorts);
        output.put("services", services);
        output.put("hosts", hosts);
        return new ScanReport(services.size(), severities.counts(), output);
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

#include "ports.h"

#include <libserialport.h>

#include <cstdio>

#include "client.h"
#include "errors.h"
#include "link.h"

namespace picocray::cli {

namespace {

std::string str(const char* s) {
  return s != nullptr ? s : "";
}

std::string describe(const PortInfo& p) {
  std::string s = p.path;
  if (p.vid >= 0) {
    char id[16];
    std::snprintf(id, sizeof id, " %04x:%04x", p.vid, p.pid);
    s += id;
  }
  if (!p.product.empty())
    s += " \"" + p.product + "\"";
  else if (!p.description.empty())
    s += " \"" + p.description + "\"";
  return s;
}

std::string list_of(const std::vector<PortInfo>& ports) {
  std::string s;
  for (const auto& p : ports) s += (s.empty() ? "" : "; ") + describe(p);
  return s;
}

}  // namespace

std::vector<PortInfo> list_ports() {
  std::vector<PortInfo> out;
  sp_port** list = nullptr;
  if (sp_list_ports(&list) != SP_OK) return out;
  for (sp_port** p = list; *p != nullptr; ++p) {
    PortInfo i;
    i.path = str(sp_get_port_name(*p));
    i.description = str(sp_get_port_description(*p));
    switch (sp_get_port_transport(*p)) {
      case SP_TRANSPORT_USB: {
        i.transport = "usb";
        int vid = 0, pid = 0;
        if (sp_get_port_usb_vid_pid(*p, &vid, &pid) == SP_OK) {
          i.vid = vid;
          i.pid = pid;
        }
        i.serial = str(sp_get_port_usb_serial(*p));
        i.manufacturer = str(sp_get_port_usb_manufacturer(*p));
        i.product = str(sp_get_port_usb_product(*p));
        break;
      }
      case SP_TRANSPORT_BLUETOOTH: i.transport = "bluetooth"; break;
      default: i.transport = "native"; break;
    }
    out.push_back(i);
  }
  sp_free_port_list(list);
  return out;
}

bool looks_like_picocray(const PortInfo& p) {
  return p.vid == kRaspberryPiVid && p.product.find("PicoCray") != std::string::npos;
}

bool probe_port(const std::string& path, int timeout_ms, std::string* what) {
  try {
    auto link = open_link(path, SimOptions{});
    Client c(*link, timeout_ms);
    const HelloReply& h = c.hello(timeout_ms);
    *what = h.board;
    return true;
  } catch (const std::exception& e) {
    *what = e.what();
    return false;
  }
}

std::string find_picocray_port(int probe_timeout_ms) {
  auto ports = list_ports();
  std::vector<PortInfo> named;
  for (const auto& p : ports)
    if (looks_like_picocray(p)) named.push_back(p);
  if (named.size() == 1) return named[0].path;
  if (named.size() > 1)
    throw CliError(kExitPort, "several PicoCray controllers found (" + list_of(named) +
                                  "): choose one with --port");
  // No product string says PicoCray (an older firmware, say): ask the Raspberry Pi ports.
  std::vector<PortInfo> answered;
  for (const auto& p : ports) {
    std::string what;
    if (p.vid == kRaspberryPiVid && probe_port(p.path, probe_timeout_ms, &what))
      answered.push_back(p);
  }
  if (answered.size() == 1) return answered[0].path;
  if (answered.size() > 1)
    throw CliError(kExitPort, "several PicoCray controllers answered (" + list_of(answered) +
                                  "): choose one with --port");
  throw CliError(kExitPort, "no PicoCray controller found (" +
                                (ports.empty() ? std::string("no serial ports seen")
                                               : "serial ports seen: " + list_of(ports)) +
                                "): connect one, or give --port PATH, tcp://HOST:PORT or sim");
}

}  // namespace picocray::cli

#!/usr/bin/env python3
"""Generates the large inputs of bench/compare.sh (standard library only, deterministic).

  gen.py dumpsys OUT --packages N      a `dumpsys package` of N packages (about 2.2 KB each)
  gen.py dumpsys OUT --bytes B         ... with as many packages as fit in B bytes
                [--shape short]                ... of about 880 bytes each (no permission lists)
  gen.py fleet DIR --devices N         N `pm list packages -f -i -U --show-versioncode` files
  gen.py tree DIR --files N --apps A   a disk tree: A app bundles + filler files, N files in all
  gen.py rules OUT --rules N           a rule file of N app rules (exact, prefix, glob, regex)
  gen.py intune-csv OUT --devices N --per-device A
                                       an Intune `AppInvRawData` CSV export: N devices of A apps,
                                       rows shuffled (a device's rows are not adjacent)
  gen.py osquery-json OUT --devices N --per-device A
                                       osquery result-log rows (`hostIdentifier`, `columns`) of
                                       N hosts of A apps, as a JSON array, rows shuffled
                [--no-last-reviewed]           ... whose apps lack `last_reviewed` (N warnings)

Package names are synthetic; a few covered apps (TikTok, WeChat, WPS Office) are sprinkled
in so that the matcher has findings to report.
"""
import argparse
import os
import random

COVERED = ["com.zhiliaoapp.musically", "com.tencent.mm", "cn.wps.moffice_eng"]
WORDS = ["alpha", "beta", "gamma", "delta", "media", "photo", "chat", "maps", "notes",
         "music", "video", "store", "cloud", "mail", "shop", "game", "news", "bank"]
PERMS = ["android.permission.INTERNET", "android.permission.ACCESS_NETWORK_STATE",
         "android.permission.CAMERA", "android.permission.RECORD_AUDIO",
         "android.permission.READ_CONTACTS", "android.permission.ACCESS_FINE_LOCATION",
         "android.permission.POST_NOTIFICATIONS", "android.permission.WAKE_LOCK",
         "android.permission.FOREGROUND_SERVICE", "com.google.android.c2dm.permission.RECEIVE"]


def package_name(rng, i):
    if i % 997 == 3:
        return COVERED[(i // 997) % len(COVERED)]
    return "com.%s.%s%d" % (rng.choice(WORDS), rng.choice(WORDS), i)


def package_block(rng, i, name):
    h = "%07x" % rng.getrandbits(28)
    uid = 10000 + i
    vc = rng.randint(1, 2_000_000_000)
    system = i % 4 == 0
    lines = [
        "  Package [%s] (%s):" % (name, h),
        "    userId=%d" % uid,
        "    pkg=Package{%s %s}" % (h, name),
        "    codePath=/data/app/~~%s==/%s-%s==" % (h * 3, name, h * 2),
        "    resourcePath=/data/app/~~%s==/%s-%s==" % (h * 3, name, h * 2),
        "    legacyNativeLibraryDir=/data/app/~~%s==/%s-%s==/lib" % (h * 3, name, h * 2),
        "    extractNativeLibs=false",
        "    primaryCpuAbi=arm64-v8a",
        "    secondaryCpuAbi=null",
        "    cpuAbiOverride=null",
        "    versionCode=%d minSdk=26 targetSdk=34" % vc,
        "    minExtensionVersions=[]",
        "    versionName=%d.%d.%d" % (vc % 40, vc % 13, vc % 101),
        "    usesNonSdkApi=false",
        "    splits=[base]",
        "    apkSigningVersion=3",
        "    flags=[ %sHAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]" % ("SYSTEM " if system else ""),
        "    privateFlags=[ PRIVATE_FLAG_ACTIVITIES_RESIZE_MODE_RESIZEABLE ALLOW_AUDIO_PLAYBACK_CAPTURE ]",
        "    forceQueryable=false",
        "    dataDir=/data/user/0/%s" % name,
        "    supportsScreens=[small, medium, large, xlarge, resizeable, anyDensity]",
        "    timeStamp=2024-05-06 07:08:09",
        "    lastUpdateTime=2024-05-06 07:08:09",
        "    installerPackageName=%s" % ("null" if system else "com.android.vending"),
        "    signatures=PackageSignatures{%s version:3, signatures:[%s], past signatures:[]}" % (h, h),
        "    installPermissionsFixed=true",
        "    pkgFlags=[ %sHAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]" % ("SYSTEM " if system else ""),
        "    requested permissions:",
    ]
    perms = rng.sample(PERMS, 6)
    lines += ["      %s" % p for p in perms]
    lines.append("    install permissions:")
    lines += ["      %s: granted=true" % p for p in perms[:3]]
    for user in (0, 10) if i % 9 == 0 else (0,):
        lines += [
            "    User %d: ceDataInode=%d installed=true hidden=false suspended=false distractionFlags=0 "
            "stopped=false notLaunched=false enabled=0 instant=false virtual=false" % (user, 100000 + i),
            "      firstInstallTime=2024-02-03 10:11:12",
            "      uninstallReason=0",
            "      gids=[3003]",
            "      runtime permissions:",
        ]
        lines += ["        %s: granted=true, flags=[ USER_SET ]" % p for p in perms[3:]]
    return "\n".join(lines) + "\n"


def short_block(rng, i, name):
    """A package of about 880 bytes: an older or leaner dump (no permissions lists)."""
    h = "%07x" % rng.getrandbits(28)
    vc = rng.randint(1, 2_000_000_000)
    system = i % 4 == 0
    lines = [
        "  Package [%s] (%s):" % (name, h),
        "    userId=%d" % (10000 + i),
        "    pkg=Package{%s %s}" % (h, name),
        "    codePath=/data/app/~~%s==/%s-%s==" % (h * 3, name, h * 2),
        "    resourcePath=/data/app/~~%s==/%s-%s==" % (h * 3, name, h * 2),
        "    primaryCpuAbi=arm64-v8a",
        "    versionCode=%d minSdk=26 targetSdk=34" % vc,
        "    versionName=%d.%d.%d" % (vc % 40, vc % 13, vc % 101),
        "    splits=[base]",
        "    apkSigningVersion=3",
        "    flags=[ %sHAS_CODE ALLOW_CLEAR_USER_DATA ALLOW_BACKUP ]" % ("SYSTEM " if system else ""),
        "    installPermissionsFixed=true",
        "    dataDir=/data/user/0/%s" % name,
        "    timeStamp=2024-05-06 07:08:09",
        "    lastUpdateTime=2024-05-06 07:08:09",
        "    installerPackageName=%s" % ("null" if system else "com.android.vending"),
        "    User 0: ceDataInode=%d installed=true hidden=false suspended=false stopped=false "
        "notLaunched=false enabled=0 instant=false virtual=false" % (100000 + i),
        "      firstInstallTime=2024-02-03 10:11:12",
        "      uninstallReason=0",
    ]
    return "\n".join(lines) + "\n"


def dumpsys(out, packages, max_bytes, shape="full"):
    rng = random.Random(7)
    with open(out, "w") as f:
        f.write("DUMP OF SERVICE package:\nDatabase versions:\n  Internal:\n    sdkVersion=34 databaseVersion=3\n\n")
        f.write("Activity Resolver Table:\n  Non-Data Actions:\n")
        for i in range(200):
            f.write("      android.intent.action.ACTION%d:\n        %07x com.alpha.beta%d/.Main filter %07x\n"
                    % (i, rng.getrandbits(28), i, rng.getrandbits(28)))
        f.write("\nPackages:\n")
        size = f.tell()
        i = 0
        while (packages is not None and i < packages) or (max_bytes is not None and size < max_bytes):
            make = short_block if shape == "short" else package_block
            block = make(rng, i, package_name(rng, i))
            f.write(block)
            size += len(block)
            i += 1
        f.write("\nHidden system packages:\n")
        f.write("--------- 0.9s was the duration of dumpsys package, ending at: 2024-06-12 10:00:00\n")
        f.write("-" * 78 + "\n")
    return i


def pm_line(rng, i, name):
    h = "%022x" % rng.getrandbits(88)
    return "package:/data/app/~~%s==/%s-%s==/base.apk=%s versionCode:%d installer=%s uid:%d\n" % (
        h, name, h, name, rng.randint(1, 2_000_000_000),
        "com.android.vending" if i % 3 else "null", 10000 + i)


def fleet(out, devices, per_device):
    os.makedirs(out, exist_ok=True)
    rng = random.Random(11)
    base = [package_name(rng, i) for i in range(per_device * 2)]
    for d in range(devices):
        drng = random.Random(d)
        names = drng.sample(base, per_device)
        if d % 7 == 0:
            names[0] = COVERED[d % len(COVERED)]
        with open(os.path.join(out, "device-%05d.txt" % d), "w") as f:
            f.writelines(pm_line(drng, i, n) for i, n in enumerate(names))


def subset(full, out, devices):
    """`out` holds hard links to the first `devices` files of `full` (links inside a
    scanned folder are not followed; hard links are plain files)."""
    os.makedirs(out, exist_ok=True)
    for d in range(devices):
        name = "device-%05d.txt" % d
        dst = os.path.join(out, name)
        if not os.path.exists(dst):
            os.link(os.path.join(full, name), dst)


PLIST = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>CFBundleIdentifier</key><string>%s</string>
  <key>CFBundleName</key><string>%s</string>
  <key>CFBundleShortVersionString</key><string>%d.%d</string>
  <key>CFBundleVersion</key><string>%d</string>
  <key>CFBundleExecutable</key><string>%s</string>
</dict>
</plist>
"""


def tree(out, files, apps):
    rng = random.Random(13)
    made = 0
    for a in range(apps):
        name = "App%04d" % a
        ident = COVERED[a % 3] if a % 500 == 1 else "com.example.%s%d" % (rng.choice(WORDS), a)
        contents = os.path.join(out, "Applications", name + ".app", "Contents")
        os.makedirs(os.path.join(contents, "MacOS"), exist_ok=True)
        os.makedirs(os.path.join(contents, "Resources"), exist_ok=True)
        with open(os.path.join(contents, "Info.plist"), "w") as f:
            f.write(PLIST % (ident, name, a % 9, a % 17, a, name))
        with open(os.path.join(contents, "MacOS", name), "wb") as f:
            f.write(b"\xcf\xfa\xed\xfe" + bytes(60))
        made += 2
        for r in range(40):
            if made >= files:
                break
            with open(os.path.join(contents, "Resources", "res%02d.dat" % r), "wb") as f:
                f.write(b"x" * (r % 5))
            made += 1
    d = 0
    while made < files:
        folder = os.path.join(out, "Users", "user", "Documents", "d%03d" % (d // 500))
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, "f%05d.txt" % d), "w") as f:
            f.write("filler %d\n" % d)
        made += 1
        d += 1


def rules(out, n, reviewed=True):
    rng = random.Random(17)
    app_reviewed = "    last_reviewed: 2026-11-21\n" if reviewed else ""
    with open(out, "w") as f:
        f.write("# %d generated app rules for benchmarks\nversion: 1\n" % n)
        f.write("regimes:\n  - id: bench-regime\n    title: \"Generated regime\"\n"
                "    instrument: \"Benchmark\"\n    date: 2024-01-01\n    issuer: \"appaudit benchmarks\"\n"
                "    binds: \"Nobody\"\n    status: in-force\n    last_reviewed: 2026-11-21\n"
                "    sources:\n      - url: https://example.org/benchmark\n")
        f.write("apps:\n")
        for i in range(n):
            kind = i % 20
            if kind == 0:
                ident = "{platform: android, prefix: org.gen%d}" % i
            elif kind == 1:
                ident = "{platform: android, glob: \"org.glob%d.*\"}" % i
            elif kind == 2 and i % 100 == 2:
                ident = "{platform: android, regex: \"^org\\\\.rx%d\\\\.[a-z]+$\"}" % i
            else:
                ident = "{platform: android, exact: org.%s.app%d}" % (rng.choice(WORDS), i)
            f.write("  - id: gen-%d\n    name: Generated %d\n    regimes: [bench-regime]\n"
                    "%s    identifiers:\n      - %s\n" % (i, i, app_reviewed, ident))
        # Real identifiers too, so the scan still finds something.
        f.write("  - id: gen-tiktok\n    name: TikTok (generated rule)\n    regimes: [bench-regime]\n"
                + app_reviewed +
                "    identifiers:\n      - {platform: android, exact: com.zhiliaoapp.musically}\n")


def bundle_id(i):
    return "com.zhiliaoapp.musically" if i % 1000 == 7 else "com.example%d.app%d" % (i % 97, i)


def ios_backup(out, apps, files_per_app):
    """An iTunes backup folder: Info.plist listing `apps` apps, Manifest.db with
    `files_per_app` rows per app (half in its AppDomain, half in HomeDomain)."""
    import plistlib
    import sqlite3
    os.makedirs(out, exist_ok=True)
    info = {
        "Device Name": "Bench iPhone",
        "Product Type": "iPhone14,2",
        "Product Version": "17.5.1",
        "Build Version": "21F90",
        "Unique Identifier": "00008101000A1D2E3F4A5B6C",
        "Target Identifier": "00008101000a1d2e3f4a5b6c",
        "Installed Applications": [bundle_id(i) for i in range(apps)],
    }
    with open(os.path.join(out, "Info.plist"), "wb") as f:
        plistlib.dump(info, f, fmt=plistlib.FMT_BINARY)
    with open(os.path.join(out, "Manifest.plist"), "wb") as f:
        plistlib.dump({"IsEncrypted": False, "Version": "10.0"}, f, fmt=plistlib.FMT_BINARY)
    db_path = os.path.join(out, "Manifest.db")
    if os.path.exists(db_path):
        os.remove(db_path)
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB)")
    db.execute("CREATE INDEX FilesDomainIdx ON Files(domain)")
    rows = ((("%08d%08d" % (i, f)), ("AppDomain-" + bundle_id(i)) if f % 2 == 0 else "HomeDomain",
             "Library/f%d" % f, 1, None) for i in range(apps) for f in range(files_per_app))
    db.executemany("INSERT INTO Files VALUES (?, ?, ?, ?, ?)", rows)
    db.commit()
    db.close()
    print("%s: %d apps, %d Manifest.db rows" % (out, apps, apps * files_per_app))


def fleet_rows(devices, per_device, seed):
    """(device, app) pairs of a fleet, shuffled: a device's rows are spread over the file."""
    order = list(range(devices * per_device))
    random.Random(seed).shuffle(order)
    return ((i // per_device, i % per_device) for i in order)


def device_uuid(d):
    return "%08x-%04x-4%03x-8%03x-%012x" % (0x3f1c0000 + d, d % 65536, d % 4096, (d * 7) % 4096, d * 2654435761 % (1 << 48))


def intune_csv(out, devices, per_device):
    """Intune's `AppInvRawData` export: Android, iOS and Windows devices (a third each);
    every 7th device has a covered app, Windows apps have opaque keys (known by name)."""
    platforms = [("Android", "Android 14", "14"), ("iOS", "iOS 18.1", "18.1"),
                 ("Windows", "Windows 11 Enterprise", "10.0.22631.4460")]
    covered = {"Android": [("com.zhiliaoapp.musically", "TikTok"), ("com.tencent.mm", "WeChat")],
               "iOS": [("com.zhiliaoapp.musically", "TikTok"), ("com.tencent.xin", "WeChat")],
               "Windows": [("", "WeChat"), ("", "TikTok")]}
    with open(out, "w", newline="") as f:
        f.write("ApplicationKey,ApplicationName,ApplicationPublisher,ApplicationShortVersion,"
                "ApplicationVersion,DeviceId,DeviceName,OSDescription,OSVersion,Platform,UserName\n")
        for d, a in fleet_rows(devices, per_device, 23):
            platform, os_desc, os_version = platforms[d % 3]
            app = (a * 7 + d) % (per_device * 2)
            if a == 0 and d % 7 == 0:
                key, name = covered[platform][d % 2]
            else:
                key = "com.%s.app%d" % (WORDS[app % len(WORDS)], app)
                name = "%s %d" % (WORDS[app % len(WORDS)].title(), app)
            if platform == "Windows":
                key = "%016x" % (app * 0x9E3779B97F4A7C15 % (1 << 64))
            f.write("%s,%s,%s Inc.,%d.%d,%d,%s,dev-%05d,%s,%s,%s,user%d\n" % (
                key, name, WORDS[app % 7].title(), app % 9, app % 13, 1000 + app,
                device_uuid(d), d, os_desc, os_version, platform, d))
    print("%s: %d devices, %d rows, %d bytes" % (out, devices, devices * per_device, os.path.getsize(out)))


def osquery_json(out, devices, per_device):
    """osqueryd result-log rows of the `apps`, `programs` and `deb_packages` tables (a third
    of the hosts each) in one JSON array, one row a line; every 7th host has a covered app."""
    covered = [("com.tencent.xinWeChat", "WeChat.app"), ("com.tencent.qq", "QQ.app")]
    with open(out, "w") as f:
        f.write("[\n")
        first = True
        for d, a in fleet_rows(devices, per_device, 29):
            app = (a * 7 + d) % (per_device * 2)
            word = WORDS[app % len(WORDS)]
            kind = d % 3
            if kind == 0:
                ident, name = ("com.%s.app%d" % (word, app), "%s %d.app" % (word.title(), app))
                if a == 0 and d % 7 == 0:
                    ident, name = covered[d % 2]
                columns = ('{"bundle_identifier":"%s","name":"%s","bundle_short_version":"%d.%d",'
                           '"bundle_version":"%d"}' % (ident, name, app % 9, app % 13, 1000 + app))
                query = "pack_inventory_apps"
            elif kind == 1:
                name = "WeChat" if a == 0 and d % 7 == 0 else "%s %d" % (word.title(), app)
                columns = ('{"name":"%s","version":"%d.%d","publisher":"%s Inc.","identifying_number":""}'
                           % (name, app % 9, app % 13, WORDS[app % 7].title()))
                query = "pack_inventory_programs"
            else:
                columns = ('{"name":"%s-%d","version":"%d.%d-1","arch":"amd64","maintainer":"dev"}'
                           % (word, app, app % 9, app % 13))
                query = "pack_inventory_deb"
            f.write("%s{\"name\":\"%s\",\"hostIdentifier\":\"host-%05d\",\"columns\":%s,"
                    "\"action\":\"added\"}" % ("" if first else ",\n", query, d, columns))
            first = False
        f.write("\n]\n")
    print("%s: %d hosts, %d rows, %d bytes" % (out, devices, devices * per_device, os.path.getsize(out)))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["dumpsys", "fleet", "subset", "tree", "rules", "ios-backup",
                                   "intune-csv", "osquery-json"])
    p.add_argument("out")
    p.add_argument("--packages", type=int)
    p.add_argument("--bytes", type=int)
    p.add_argument("--devices", type=int, default=10000)
    p.add_argument("--per-device", type=int, default=200)
    p.add_argument("--from", dest="src")
    p.add_argument("--files", type=int, default=200000)
    p.add_argument("--apps", type=int, default=2000)
    p.add_argument("--rules", type=int, default=20000)
    p.add_argument("--files-per-app", type=int, default=100)
    p.add_argument("--no-last-reviewed", action="store_true")
    p.add_argument("--shape", choices=["full", "short"], default="full")
    a = p.parse_args()
    if a.what == "dumpsys":
        n = dumpsys(a.out, a.packages, a.bytes, a.shape)
        print("%s: %d packages, %d bytes" % (a.out, n, os.path.getsize(a.out)))
    elif a.what == "fleet":
        fleet(a.out, a.devices, a.per_device)
    elif a.what == "subset":
        subset(a.src, a.out, a.devices)
    elif a.what == "tree":
        tree(a.out, a.files, a.apps)
    elif a.what == "intune-csv":
        intune_csv(a.out, a.devices, a.per_device)
    elif a.what == "osquery-json":
        osquery_json(a.out, a.devices, a.per_device)
    elif a.what == "ios-backup":
        ios_backup(a.out, a.apps, a.files_per_app)
    else:
        rules(a.out, a.rules, not a.no_last_reviewed)


if __name__ == "__main__":
    main()

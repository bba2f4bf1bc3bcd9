<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="vi_VN">
<context>
    <name>MainWindow</name>
    <message>
        <source>Một Cửa Desk — %1</source>
        <translation>Một Cửa Desk — %1</translation>
    </message>
    <message>
        <source>no centre</source>
        <translation>chưa có trung tâm</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Tệp</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>T&amp;hoát</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>Trợ &amp;giúp</translation>
    </message>
    <message>
        <source>&amp;About Một Cửa Desk</source>
        <translation>&amp;Giới thiệu Một Cửa Desk</translation>
    </message>
    <message>
        <source>No centre is configured</source>
        <translation>Chưa cấu hình trung tâm</translation>
    </message>
    <message numerus="yes">
        <source>%n procedure(s) in the catalogue</source>
        <translation>
            <numerusform>%n thủ tục trong danh mục</numerusform>
        </translation>
    </message>
    <message>
        <source>No centre</source>
        <translation>Chưa có trung tâm</translation>
    </message>
    <message>
        <source>Operator: %1</source>
        <translation>Cán bộ: %1</translation>
    </message>
    <message>
        <source>Not logged in</source>
        <translation>Chưa đăng nhập</translation>
    </message>
    <message>
        <source>Online</source>
        <translation>Trực tuyến</translation>
    </message>
    <message>
        <source>Offline</source>
        <translation>Ngoại tuyến</translation>
    </message>
    <message>
        <source>About Một Cửa Desk</source>
        <translation>Giới thiệu Một Cửa Desk</translation>
    </message>
    <message>
        <source>Một Cửa Desk %1
Data folder: %2</source>
        <translation>Một Cửa Desk %1
Thư mục dữ liệu: %2</translation>
    </message>
</context>
<context>
    <name>Startup</name>
    <message>
        <source>Một Cửa Desk cannot start</source>
        <translation>Không khởi động được Một Cửa Desk</translation>
    </message>
    <message>
        <source>Một Cửa Desk</source>
        <translation>Một Cửa Desk</translation>
    </message>
</context>
</TS>

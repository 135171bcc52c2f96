; Desktop Helpdesk: the Windows installer (NSIS 3, Unicode).
;
;   makensis -DVERSION=0.1.0 -DBUNDLE=dist\DesktopHelpdesk -DOUTFILE=dist\DesktopHelpdesk-Setup-0.1.0.exe
;            packaging\installer.nsi
; (packaging/build-windows.sh and .github/workflows/windows.yml run it with these.)
;
; For one Windows user, without administrator rights: the program goes to
; %LOCALAPPDATA%\Programs\Desktop Helpdesk, the shortcuts to the user's Start menu and desktop,
; the uninstaller's entry to HKCU. The installer speaks Vietnamese or English (asked first,
; Windows' language preselected). The uninstaller keeps the user's data (the database,
; settings and logs in %LOCALAPPDATA%\DesktopHelpdesk, where the app keeps them through appdirs)
; unless its box "Also delete my data" is ticked.

; The app is 64-bit only: a 64-bit installer where makensis has the stubs (Debian's does; the
; Windows download of NSIS has only x86 ones), else an x86 one that refuses 32-bit Windows.
!if /FileExists "${NSISDIR}/Stubs/lzma_solid-amd64-unicode"
  Target amd64-unicode
!else
  Unicode true
!endif
ManifestDPIAware true
SetCompressor /SOLID lzma
SetCompressorDictSize 64

!ifndef VERSION
  !error "makensis -DVERSION=x.y.z (the version in pyproject.toml)"
!endif
!ifndef BUNDLE
  !define BUNDLE "..\dist\DesktopHelpdesk"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\dist\DesktopHelpdesk-Setup-${VERSION}.exe"
!endif
!ifndef VIVERSION
  !define VIVERSION "${VERSION}.0"
!endif

!define APP "Desktop Helpdesk"
!define EXE "DesktopHelpdesk.exe"
!define UNINST_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\DesktopHelpdesk"
!define ICON "../resources/icons/desktop-helpdesk.ico"  ; makensis works in the script's folder

Name "${APP}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINST_KEY}" "InstallLocation"
RequestExecutionLevel user
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VIVERSION}"
VIAddVersionKey /LANG=0 "ProductName" "${APP}"
VIAddVersionKey /LANG=0 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=0 "FileDescription" "${APP} Setup"
VIAddVersionKey /LANG=0 "CompanyName" "${APP}"
VIAddVersionKey /LANG=0 "LegalCopyright" "${APP}"

!include "MUI2.nsh"
!include "nsDialogs.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_LANGDLL_ALLLANGUAGES
; Asked before any language is chosen, so in both.
!define MUI_LANGDLL_WINDOWTITLE "${APP}"
!define MUI_LANGDLL_INFO "Chọn ngôn ngữ cho trình cài đặt.$\r$\nPlease select a language."
; The language asked at start is remembered for the uninstaller.
!define MUI_LANGDLL_REGISTRY_ROOT HKCU
!define MUI_LANGDLL_REGISTRY_KEY "${UNINST_KEY}"
!define MUI_LANGDLL_REGISTRY_VALUENAME "InstallerLanguage"
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"

!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH

!insertmacro MUI_UNPAGE_CONFIRM
UninstPage custom un.DataPage un.DataPageLeave
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "Vietnamese"
!insertmacro MUI_LANGUAGE "English"
!insertmacro MUI_RESERVEFILE_LANGDLL

LangString DataTitle ${LANG_VIETNAMESE} "Dữ liệu của bạn"
LangString DataTitle ${LANG_ENGLISH} "Your data"
LangString DataSubtitle ${LANG_VIETNAMESE} "Giữ hay xoá cơ sở dữ liệu, cài đặt và nhật ký trên máy này."
LangString DataSubtitle ${LANG_ENGLISH} "Keep or delete the database, settings and logs on this computer."
LangString DataText ${LANG_VIETNAMESE} "Gỡ cài đặt chỉ xoá chương trình. Khách hàng, hợp đồng, phiếu yêu cầu, cài đặt và nhật ký trong $LOCALAPPDATA\DesktopHelpdesk được giữ lại, để cài lại thì dùng tiếp được."
LangString DataText ${LANG_ENGLISH} "Uninstalling removes the program only. The customers, contracts, tickets, settings and logs in $LOCALAPPDATA\DesktopHelpdesk are kept, so a new install carries on with them."
LangString DataDelete ${LANG_VIETNAMESE} "Xoá cả dữ liệu của tôi (không lấy lại được)"
LangString DataDelete ${LANG_ENGLISH} "Also delete my data (it cannot be recovered)"
LangString Needs64 ${LANG_VIETNAMESE} "${APP} cần Windows 64-bit (Windows 10 phiên bản 1809 trở lên)."
LangString Needs64 ${LANG_ENGLISH} "${APP} needs 64-bit Windows (Windows 10 version 1809 or later)."
LangString RunningText ${LANG_VIETNAMESE} "${APP} đang chạy. Hãy đóng chương trình rồi bấm Thử lại."
LangString RunningText ${LANG_ENGLISH} "${APP} is running. Close it, then choose Retry."

Var DeleteData
Var DeleteBox

Function .onInit
  !insertmacro MUI_LANGDLL_DISPLAY
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "$(Needs64)" /SD IDOK
    Abort
  ${EndIf}
FunctionEnd

Function un.onInit
  !insertmacro MUI_UNGETLANGUAGE
  StrCpy $DeleteData 0
FunctionEnd

; An open copy holds its files: replacing them would fail half-way.
!macro WAIT_FOR_CLOSED UN
Function ${UN}WaitForClosed
  retry:
  ClearErrors
  IfFileExists "$INSTDIR\${EXE}" 0 done
  FileOpen $0 "$INSTDIR\${EXE}" a
  IfErrors 0 close
  MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "$(RunningText)" IDRETRY retry
  Abort
  close:
  FileClose $0
  done:
FunctionEnd
!macroend
!insertmacro WAIT_FOR_CLOSED ""
!insertmacro WAIT_FOR_CLOSED "un."

Section "${APP}" SecMain
  SectionIn RO
  SetShellVarContext current
  Call WaitForClosed
  ; An upgrade replaces the program folder whole, so no file of the old version lingers.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${BUNDLE}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"

  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  CreateShortcut "$DESKTOP\${APP}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0

  WriteRegStr HKCU "${UNINST_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINST_KEY}" "Publisher" "${APP}"
  WriteRegStr HKCU "${UNINST_KEY}" "DisplayIcon" "$INSTDIR\${EXE},0"
  WriteRegStr HKCU "${UNINST_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINST_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINST_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINST_KEY}" "NoRepair" 1
  SectionGetSize ${SecMain} $0
  WriteRegDWORD HKCU "${UNINST_KEY}" "EstimatedSize" $0
SectionEnd

Function un.DataPage
  !insertmacro MUI_HEADER_TEXT "$(DataTitle)" "$(DataSubtitle)"
  nsDialogs::Create 1018
  Pop $0
  ${NSD_CreateLabel} 0 0 100% 48u "$(DataText)"
  Pop $0
  ${NSD_CreateCheckbox} 0 56u 100% 12u "$(DataDelete)"
  Pop $DeleteBox
  ${NSD_SetState} $DeleteBox $DeleteData
  nsDialogs::Show
FunctionEnd

Function un.DataPageLeave
  ${NSD_GetState} $DeleteBox $DeleteData
FunctionEnd

Section "Uninstall"
  SetShellVarContext current
  Call un.WaitForClosed
  Delete "$SMPROGRAMS\${APP}.lnk"
  Delete "$DESKTOP\${APP}.lnk"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\DesktopHelpdesk.exe"
  Delete "$INSTDIR\DesktopHelpdesk-cli.exe"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINST_KEY}"
  ; /S (silent) never deletes data: only the ticked box does.
  ${If} $DeleteData == ${BST_CHECKED}
    RMDir /r "$LOCALAPPDATA\DesktopHelpdesk"
  ${EndIf}
SectionEnd
